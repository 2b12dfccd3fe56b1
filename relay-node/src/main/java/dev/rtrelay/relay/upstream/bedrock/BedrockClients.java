package dev.rtrelay.relay.upstream.bedrock;

import dev.rtrelay.relay.config.BedrockSettings;
import dev.rtrelay.relay.config.DeploymentConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.SdkAdvancedAsyncClientOption;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.bedrockruntime.BedrockRuntimeAsyncClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * One Bedrock runtime client per {@code bedrock/} deployment (region, credentials and endpoint differ), created on
 * first use and shared by every session of the node; all of them share one small Netty event-loop group, since the
 * SDK cannot run on Vert.x's own loops (Netty 4.2's group type is refused).
 */
public final class BedrockClients implements AutoCloseable {
  private SdkEventLoopGroup loops;
  private final Duration connectTimeout;
  private final Map<String, BedrockRuntimeAsyncClient> clients = new ConcurrentHashMap<>();
  private final java.util.Set<java.util.concurrent.CompletableFuture<Void>> live = ConcurrentHashMap.newKeySet();
  /** Credential providers and STS clients: the SDK does not close what it was given. */
  private final java.util.Queue<AutoCloseable> owned = new java.util.concurrent.ConcurrentLinkedQueue<>();

  public BedrockClients(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  /** Created with the first client, so nodes without Bedrock deployments start no SDK threads. */
  private synchronized SdkEventLoopGroup loops() {
    if (loops == null) {
      // Bedrock streams are few next to audio frames and the SDK does little per event: two threads carry them all.
      loops = SdkEventLoopGroup.builder().numberOfThreads(2).build();
    }
    return loops;
  }

  /** The deployment's client. Blocking the first time (credential and config files are read): not on an event loop. */
  BedrockRuntimeAsyncClient client(DeploymentConfig d) {
    return clients.computeIfAbsent(d.id(), id -> build(d.bedrock().orElseThrow()));
  }

  private BedrockRuntimeAsyncClient build(BedrockSettings b) {
    boolean cleartext = b.runtimeEndpoint().map(e -> e.regionMatches(true, 0, "http://", 0, 7)).orElse(false);
    NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
        .protocol(Protocol.HTTP2)
        // Real endpoints negotiate h2 over TLS; a cleartext endpoint (a local fake) is spoken to with prior knowledge.
        .protocolNegotiation(cleartext ? ProtocolNegotiation.ASSUME_PROTOCOL : ProtocolNegotiation.ALPN)
        .eventLoopGroup(loops())
        .connectionTimeout(connectTimeout)
        // A quiet stream (a muted user) is not a dead one: Nova ends streams by itself, the relay does not.
        .readTimeout(Duration.ZERO)
        .writeTimeout(Duration.ofSeconds(30))
        .maxConcurrency(4096);
    var builder = BedrockRuntimeAsyncClient.builder()
        .region(Region.of(b.region()))
        .credentialsProvider(credentials(b))
        .httpClientBuilder(http)
        // A retry would replay the request with the same, already consumed event publisher: a failed stream is
        // reported instead, and the connector fails over or the session renews the stream.
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        // Completing the SDK's future needs no thread pool of its own: callbacks only hop to a Vert.x context.
        .asyncConfiguration(c -> c.advancedOption(SdkAdvancedAsyncClientOption.FUTURE_COMPLETION_EXECUTOR,
            Runnable::run));
    b.runtimeEndpoint().ifPresent(e -> builder.endpointOverride(URI.create(e)));
    return builder.build();
  }

  private AwsCredentialsProvider credentials(BedrockSettings b) {
    AwsCredentialsProvider base;
    if (b.accessKeyId().isPresent()) {
      String id = b.accessKeyId().get().reveal();
      String secret = b.secretAccessKey().orElseThrow().reveal();
      base = StaticCredentialsProvider.create(b.sessionToken()
          .<software.amazon.awssdk.auth.credentials.AwsCredentials>map(t -> AwsSessionCredentials.create(id, secret,
              t.reveal()))
          .orElseGet(() -> AwsBasicCredentials.create(id, secret)));
    } else if (b.profileName().isPresent()) {
      base = owned(ProfileCredentialsProvider.create(b.profileName().get()));
    } else {
      base = owned(DefaultCredentialsProvider.builder().build());
    }
    if (b.roleName().isEmpty()) {
      return base;
    }
    StsClient sts = owned(StsClient.builder().region(Region.of(b.region())).credentialsProvider(base)
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build());
    return owned(StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
        .refreshRequest(r -> r.roleArn(b.roleName().get()).roleSessionName(b.sessionName().orElse("rtrelay")))
        .asyncCredentialUpdateEnabled(true).build());
  }

  /** Tracks a stream until it ends, so closing the node can end it rather than wait for it. */
  void track(java.util.concurrent.CompletableFuture<Void> call) {
    live.add(call);
    call.whenComplete((v, e) -> live.remove(call));
  }

  /** Blocking: streams still open are reset first, since the SDK would otherwise wait for each to end. */
  private <T extends AutoCloseable> T owned(T closeable) {
    owned.add(closeable);
    return closeable;
  }

  @Override
  public void close() {
    live.forEach(call -> call.cancel(true));
    clients.values().forEach(BedrockRuntimeAsyncClient::close);
    clients.clear();
    for (AutoCloseable c = owned.poll(); c != null; c = owned.poll()) {
      try {
        c.close();
      } catch (Exception e) {
        // Closing: nothing left to tell anyone.
      }
    }
    synchronized (this) {
      if (loops != null) {
        loops.eventLoopGroup().shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }
}
