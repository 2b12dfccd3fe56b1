package dev.rtrelay.e2e.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node Apache Kafka broker (KRaft, 4.4.0) for tests, run in its own JVM by
 * {@code scripts/kafka-local}. The broker never shares a classpath with the code under test.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start(tempDir)) {
 *     String bootstrap = kafka.bootstrap();   // "127.0.0.1:<port>"
 *     ...
 *     kafka.restart();                        // same port and dir, data kept
 * }
 * }</pre>
 *
 * <p>The first start in a checkout resolves the broker classpath with Maven (cached afterwards in
 * {@code scripts/kafka-broker/target/}). All waits are bounded; failures throw
 * {@link IllegalStateException} with the script's output (which includes the tail of the broker log,
 * kept in {@code <dir>/broker.log}).
 *
 * <p>System properties: {@code rtrelay.repo.root} (repo root containing {@code scripts/kafka-local}; by
 * default found by walking up from the working directory), {@code rtrelay.kafka.startTimeoutSeconds}
 * (default 180, covers the one-time classpath resolution), {@code rtrelay.kafka.stopTimeoutSeconds}
 * (default 60).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String SCRIPT = "scripts/kafka-local";
    private static final long START_TIMEOUT_S = Long.getLong("rtrelay.kafka.startTimeoutSeconds", 180);
    private static final long STOP_TIMEOUT_S = Long.getLong("rtrelay.kafka.stopTimeoutSeconds", 60);

    private final Path repoRoot;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final Thread shutdownHook;
    private boolean hookRegistered;

    private KafkaBroker(Path repoRoot, Path dir, int port, int controllerPort) {
        this.repoRoot = repoRoot;
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.shutdownHook = new Thread(this::killOnJvmExit, "kafka-broker-reaper-" + port);
    }

    /**
     * Starts a broker on a free loopback port with its state (data, config, log, pid) in {@code dir}
     * (created if missing). Returns once the broker serves on {@link #bootstrap()}.
     */
    public static KafkaBroker start(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path absDir = dir.toAbsolutePath().normalize();
        int[] ports = freeLoopbackPorts(2);
        KafkaBroker broker = new KafkaBroker(findRepoRoot(), absDir, ports[0], ports[1]);
        broker.startBroker();
        return broker;
    }

    /** {@code "127.0.0.1:<port>"}, for {@code bootstrap.servers}. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    /** The broker's own log (appended across restarts). */
    public Path logFile() {
        return dir.resolve("broker.log");
    }

    /** True if the broker process recorded in {@code <dir>/broker.pid} is alive. */
    public boolean isRunning() {
        return brokerProcess().map(ProcessHandle::isAlive).orElse(false);
    }

    /** SIGKILL, as a crash would; {@link #restart()} brings it back on the same port with its data. */
    public synchronized void kill() {
        brokerProcess().ifPresent(ph -> {
            ph.destroyForcibly();
            try {
                ph.onExit().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the broker did not die on SIGKILL", e);
            }
        });
    }

    /** Stops the broker (SIGTERM, SIGKILL after a bounded wait). No-op if it is not running. */
    public synchronized void stop() {
        runScript("stop", STOP_TIMEOUT_S);
        unregisterHook();
    }

    /** Stops the broker if running, then starts it again on the same port and dir; data is kept. */
    public synchronized void restart() {
        stop();
        startBroker();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrap() + ", dir=" + dir + "]";
    }

    // ------------------------------------------------------------------------------------------------

    private synchronized void startBroker() {
        registerHook();
        try {
            runScript("start", START_TIMEOUT_S);
        } catch (RuntimeException e) {
            // the script kills its broker on its own failures; make sure nothing is left behind
            try {
                runScript("stop", STOP_TIMEOUT_S);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            unregisterHook();
            throw e;
        }
    }

    private String runScript(String command, long timeoutSeconds) {
        List<String> cmd = new ArrayList<>(List.of(
                "bash", repoRoot.resolve(SCRIPT).toString(), command,
                "--port", Integer.toString(port), "--dir", dir.toString()));
        if (command.equals("start")) {
            cmd.add("--controller-port");
            cmd.add(Integer.toString(controllerPort));
        }
        Path out = null;
        Process process = null;
        try {
            Files.createDirectories(dir);
            out = Files.createTempFile("kafka-local-" + command + "-", ".out");
            // output to a file, not a pipe: nothing to drain, and no pipe held open by the broker
            process = new ProcessBuilder(cmd)
                    .directory(repoRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                    .start();
            boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.onExit().get(10, TimeUnit.SECONDS);
                throw new IllegalStateException("`" + String.join(" ", cmd) + "` did not finish within "
                        + timeoutSeconds + " s (killed)" + outputSection(out));
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            int rc = process.exitValue();
            if (rc != 0) {
                throw new IllegalStateException("`" + String.join(" ", cmd) + "` failed with exit code " + rc
                        + outputSection(out));
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run `" + String.join(" ", cmd) + "`" + outputSection(out), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            throw new IllegalStateException("interrupted while running `" + String.join(" ", cmd) + "`", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("`" + String.join(" ", cmd) + "` could not be killed"
                    + outputSection(out), e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // temp file; nothing useful to do
                }
            }
        }
    }

    private static String outputSection(Path out) {
        if (out == null) {
            return "";
        }
        try {
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? " (no output)" : "; output:\n" + text;
        } catch (IOException e) {
            return " (output unreadable: " + e + ")";
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private Optional<ProcessHandle> brokerProcess() {
        Path pidFile = dir.resolve("broker.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            String text = Files.readString(pidFile, StandardCharsets.US_ASCII).strip();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(text))
                    .filter(ph -> ph.info().commandLine().map(c -> c.contains("kafka.Kafka")).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Last resort if a test JVM exits without stopping the broker: do not leave an orphan behind. */
    private void killOnJvmExit() {
        brokerProcess().ifPresent(ph -> {
            ph.destroy();
            try {
                ph.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                ph.destroyForcibly();
            }
        });
    }

    private void registerHook() {
        if (!hookRegistered) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            hookRegistered = true;
        }
    }

    private void unregisterHook() {
        if (hookRegistered) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // JVM already shutting down; the hook runs and finds nothing to do
            }
            hookRegistered = false;
        }
    }

    private static Path findRepoRoot() {
        String override = System.getProperty("rtrelay.repo.root");
        if (override != null && !override.isBlank()) {
            Path root = Paths.get(override).toAbsolutePath().normalize();
            if (!Files.isRegularFile(root.resolve(SCRIPT))) {
                throw new IllegalStateException("-Drtrelay.repo.root=" + override + " has no " + SCRIPT);
            }
            return root;
        }
        Path start = Paths.get("").toAbsolutePath().normalize();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SCRIPT))) {
                return p;
            }
        }
        throw new IllegalStateException("no " + SCRIPT + " found in " + start
                + " or any parent directory (set -Drtrelay.repo.root=<repo root>)");
    }

    /** Distinct free loopback ports; all sockets are held open until every port has been chosen. */
    private static int[] freeLoopbackPorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket();
                sockets.add(s);
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
