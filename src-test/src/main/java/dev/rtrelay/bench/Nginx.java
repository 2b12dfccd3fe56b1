package dev.rtrelay.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * nginx as a plain WebSocket reverse proxy in front of the probe: the lower bound for what any L7 relay adds. Absent
 * nginx, the harness reports without that column (scripts/bench installs it with apt when it can).
 */
final class Nginx {
  private Nginx() {}

  static Optional<String> binary() {
    for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Starts nginx proxying 127.0.0.1:{port} to the probe; returns the process and its port. */
  static Started start(String binary, Path dir, int probePort) throws Exception {
    int port = Ports.free();
    Files.createDirectories(dir.resolve("tmp"));
    String conf = """
        worker_processes auto;
        daemon off;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events { worker_connections 30000; }
        http {
          access_log off;
          client_body_temp_path %1$s/tmp/body;
          proxy_temp_path %1$s/tmp/proxy;
          fastcgi_temp_path %1$s/tmp/fastcgi;
          uwsgi_temp_path %1$s/tmp/uwsgi;
          scgi_temp_path %1$s/tmp/scgi;
          map $http_upgrade $connection_upgrade { default upgrade; '' close; }
          server {
            listen 127.0.0.1:%2$d;
            location / {
              proxy_pass http://127.0.0.1:%3$d;
              proxy_http_version 1.1;
              proxy_set_header Upgrade $http_upgrade;
              proxy_set_header Connection $connection_upgrade;
              proxy_buffering off;
              proxy_read_timeout 3600s;
              tcp_nodelay on;
            }
          }
        }
        """.formatted(dir, port, probePort);
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    ChildProcess process = ChildProcess.start("nginx", List.of(binary, "-p", dir.toString(), "-c", file.toString()),
        dir.resolve("nginx.out"), null);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!accepts(port)) {
      if (System.nanoTime() > deadline) {
        process.close();
        throw new IllegalStateException("nginx did not listen on " + port + ": " + Files.readString(
            dir.resolve("error.log")));
      }
      Thread.sleep(50);
    }
    return new Started(process, port);
  }

  record Started(ChildProcess process, int port) {}


  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
