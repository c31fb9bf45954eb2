package com.example.hello;

import com.example.text.Html;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The hello-jar example service. Everything it needs comes from the rendered
 * app/conf/application.yaml (autoconfig.sh fills its placeholders before the
 * JVM starts), so two instances of one image differ only by configuration.
 *
 *   GET /health  -> 200 "ok"
 *   GET /        -> an HTML page showing the configured greeting
 */
public final class HelloServer {
    private HelloServer() {}

    public static void main(String[] args) throws Exception {
        Path configFile = findConfig();
        Map<String, String> conf;
        try {
            conf = FlatYaml.load(configFile);
        } catch (IOException e) {
            System.err.println("hello-jar: cannot read the configuration " + configFile + ": " + e);
            System.exit(2);
            return;
        }
        String address = conf.getOrDefault("server.address", "0.0.0.0");
        int port = Integer.parseInt(require(conf, "server.port", configFile));
        String greeting = require(conf, "app.greeting", configFile);
        String name = conf.getOrDefault("app.name", "hello-jar");

        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
        server.createContext("/health", ex -> reply(ex, 200, "text/plain", "ok\n"));
        server.createContext("/", ex -> {
            if (!ex.getRequestURI().getPath().equals("/")) {
                reply(ex, 404, "text/plain", "not found\n");
                return;
            }
            String body = "<h1 id=\"greeting\">" + Html.escape(greeting) + "</h1>\n"
                    + "<p>Served by <b>" + Html.escape(name) + "</b> on port " + port + ".</p>";
            reply(ex, 200, "text/html; charset=utf-8", Html.page(name, body));
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        // entrypoint.sh execs the JVM, so SIGTERM from the runtime lands here.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        server.start();
        System.out.println(name + " listening on " + address + ":" + port + " (config " + configFile + ")");
    }

    private static String require(Map<String, String> conf, String key, Path file) {
        String v = conf.get(key);
        if (v == null || v.isEmpty()) {
            System.err.println("hello-jar: " + file + " has no value for " + key);
            System.exit(2);
        }
        return v;
    }

    /**
     * The config path, first match wins: -Dapp.config or $APP_CONFIG (a file);
     * -Decp.conf.dir (set by the layout's bin/entrypoint.sh) + /application.yaml;
     * conf/application.yaml beside the lib/ folder holding this jar (the standard
     * layout, when started by hand); ./conf/application.yaml.
     */
    static Path findConfig() throws URISyntaxException {
        String explicit = System.getProperty("app.config");
        if (explicit == null || explicit.isEmpty()) explicit = System.getenv("APP_CONFIG");
        if (explicit != null && !explicit.isEmpty()) return Path.of(explicit);
        String confDir = System.getProperty("ecp.conf.dir");
        if (confDir != null && !confDir.isEmpty()) return Path.of(confDir, "application.yaml");
        Path jar = Path.of(HelloServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path libDir = jar.getParent();
        if (libDir != null && libDir.getParent() != null) {
            Path beside = libDir.getParent().resolve("conf/application.yaml");
            if (Files.isRegularFile(beside)) return beside;
        }
        return Path.of("conf/application.yaml");
    }

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                status = 405;
                type = "text/plain";
                body = "method not allowed\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if (method.equals("HEAD")) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
