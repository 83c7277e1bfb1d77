package io.memsession.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A minimal HTTP/1.1 "browser" for 127.0.0.1: one cookie jar shared by all ports, as a browser shares cookies
 * across ports of one host name, and one keep-alive connection per port. It speaks raw sockets so tests see exactly
 * what the server sent, and stays lean because the load benchmark drives one instance per thread.
 * Not thread-safe.
 */
public final class WebClient implements AutoCloseable {

    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final int readTimeoutMillis;
    private final Map<Integer, Connection> connections = new HashMap<>();
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private final StringBuilder head = new StringBuilder(256);
    private byte[] lineBuffer = new byte[256];

    public WebClient() {
        this(DEFAULT_READ_TIMEOUT);
    }

    public WebClient(Duration readTimeout) {
        this.readTimeoutMillis = Math.toIntExact(readTimeout.toMillis());
    }

    /** An Authorization header for HTTP basic authentication, to pass to {@link #request}. */
    public static Map<String, String> basicAuth(String user, String password) {
        String credentials = user + ":" + password;
        return Map.of("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    public Response get(int port, String pathAndQuery) {
        return request(port, "GET", pathAndQuery, Map.of(), null);
    }

    /** Posts {@code form} as application/x-www-form-urlencoded. */
    public Response post(int port, String path, Map<String, String> form) {
        StringBuilder encoded = new StringBuilder();
        form.forEach((name, value) -> {
            if (encoded.length() > 0) {
                encoded.append('&');
            }
            encoded.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return request(port, "POST", path, Map.of("Content-Type", "application/x-www-form-urlencoded"),
                encoded.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Sends one request with the jar's cookies plus {@code headers}; {@code headers} and {@code body} may be null.
     * Cookies the response sets or expires are applied to the jar before this returns.
     */
    public Response request(int port, String method, String path, Map<String, String> headers, byte[] body) {
        Connection pooled = connections.remove(port);
        try {
            if (pooled != null) {
                try {
                    return exchange(pooled, port, method, path, headers, body);
                } catch (NoResponse e) {
                    // Servers close idle keep-alive connections at will; one closed without answering never
                    // handled the request, so browsers send it again on a fresh connection, and so does this.
                }
            }
            return exchange(new Connection(port, readTimeoutMillis), port, method, path, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " http://" + Loopback.HOST + ":" + port + path + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** The value of the cookie in the jar, or null. */
    public String cookie(String name) {
        return cookies.get(name);
    }

    public void setCookie(String name, String value) {
        cookies.put(name, value);
    }

    public void clearCookies() {
        cookies.clear();
    }

    @Override
    public void close() {
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    private Response exchange(Connection connection, int port, String method, String path,
                              Map<String, String> headers, byte[] body) throws IOException {
        Response response;
        try {
            try {
                writeRequest(connection.out, port, method, path, headers, body);
            } catch (IOException e) {
                throw new NoResponse(e);
            }
            response = readResponse(connection.in, method);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
        response.setCookies().forEach(this::remember);
        if (response.keepsConnection) {
            connections.put(port, connection);
        } else {
            connection.close();
        }
        return response;
    }

    private void writeRequest(OutputStream out, int port, String method, String path, Map<String, String> headers,
                              byte[] body) throws IOException {
        head.setLength(0);
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(Loopback.HOST).append(':').append(port).append("\r\n");
        if (!cookies.isEmpty()) {
            head.append("Cookie: ");
            String separator = "";
            for (Map.Entry<String, String> cookie : cookies.entrySet()) {
                head.append(separator).append(cookie.getKey()).append('=').append(cookie.getValue());
                separator = "; ";
            }
            head.append("\r\n");
        }
        if (headers != null) {
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    private Response readResponse(InputStream in, String method) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new NoResponse(new EOFException("connection closed before the response"));
        }
        String statusLine = (char) first + readLine(in);
        int space = statusLine.indexOf(' ');
        if (!statusLine.startsWith("HTTP/") || space < 0 || statusLine.length() < space + 4) {
            throw new IOException("malformed status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(space + 1, space + 4));
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed header line: " + line);
            }
            headers.computeIfAbsent(line.substring(0, colon).trim(), name -> new ArrayList<>(1))
                    .add(line.substring(colon + 1).trim());
        }
        String connectionHeader = first(headers, "Connection");
        boolean keepAlive = statusLine.startsWith("HTTP/1.1")
                ? !"close".equalsIgnoreCase(connectionHeader)
                : "keep-alive".equalsIgnoreCase(connectionHeader);
        String contentLength = first(headers, "Content-Length");
        byte[] body;
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(first(headers, "Transfer-Encoding"))) {
            body = readChunked(in);
        } else if (contentLength != null) {
            body = readExactly(in, Integer.parseInt(contentLength));
        } else {
            // Without a length the body ends where the connection does.
            body = in.readAllBytes();
            keepAlive = false;
        }
        return new Response(status, headers, body, keepAlive);
    }

    private byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int extension = sizeLine.indexOf(';');
            int size = Integer.parseInt((extension < 0 ? sizeLine : sizeLine.substring(0, extension)).trim(), 16);
            if (size == 0) {
                break;
            }
            body.write(readExactly(in, size));
            readLine(in);
        }
        // Trailers end with an empty line, as headers do; nothing in them is of use here.
        while (!readLine(in).isEmpty()) {
        }
        return body.toByteArray();
    }

    private static byte[] readExactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("connection closed after " + bytes.length + " of " + length + " body bytes");
        }
        return bytes;
    }

    private String readLine(InputStream in) throws IOException {
        int length = 0;
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed mid-line");
            }
            if (length == lineBuffer.length) {
                lineBuffer = Arrays.copyOf(lineBuffer, length * 2);
            }
            lineBuffer[length++] = (byte) b;
        }
        if (length > 0 && lineBuffer[length - 1] == '\r') {
            length--;
        }
        return new String(lineBuffer, 0, length, StandardCharsets.ISO_8859_1);
    }

    private void remember(String setCookie) {
        int semicolon = setCookie.indexOf(';');
        String pair = semicolon < 0 ? setCookie : setCookie.substring(0, semicolon);
        int equals = pair.indexOf('=');
        if (equals <= 0) {
            return;
        }
        String name = pair.substring(0, equals).trim();
        if (semicolon >= 0 && isExpired(setCookie.substring(semicolon + 1))) {
            cookies.remove(name);
        } else {
            cookies.put(name, pair.substring(equals + 1).trim());
        }
    }

    /** RFC 6265: Max-Age wins over Expires; attributes that do not parse are ignored. */
    private static boolean isExpired(String attributes) {
        String expires = null;
        for (String attribute : attributes.split(";")) {
            int equals = attribute.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = attribute.substring(0, equals).trim();
            String value = attribute.substring(equals + 1).trim();
            if (name.equalsIgnoreCase("Max-Age")) {
                try {
                    return Long.parseLong(value) <= 0;
                } catch (NumberFormatException ignored) {
                    // not a number: ignored, per RFC 6265
                }
            } else if (name.equalsIgnoreCase("Expires")) {
                expires = value;
            }
        }
        if (expires == null) {
            return false;
        }
        try {
            // Tomcat's legacy cookie processor writes "01-Jan-1970"; RFC 1123 wants "01 Jan 1970".
            Instant instant = DateTimeFormatter.RFC_1123_DATE_TIME.parse(expires.replace('-', ' '), Instant::from);
            return !instant.isAfter(Instant.now());
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null ? null : values.get(0);
    }

    /** One HTTP response, fully read. */
    public static final class Response {

        private final int status;
        private final Map<String, List<String>> headers;
        private final byte[] body;
        private final boolean keepsConnection;

        private Response(int status, Map<String, List<String>> headers, byte[] body, boolean keepsConnection) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.keepsConnection = keepsConnection;
        }

        public int status() {
            return status;
        }

        /** The body decoded with the Content-Type charset, or UTF-8 when none is declared. */
        public String body() {
            return new String(body, charset());
        }

        /**
         * The counter in an answer that holds {@code counter=<n>}, as the demo's, the benchmark's and the fault run's
         * applications answer; -1 when there is none.
         */
        public long counter() {
            String text = body();
            int start = text.indexOf("counter=");
            if (start < 0) {
                return -1;
            }
            start += "counter=".length();
            int end = start;
            while (end < text.length() && Character.isDigit(text.charAt(end))) {
                end++;
            }
            return end == start ? -1 : Long.parseLong(text, start, end, 10);
        }

        public byte[] bodyBytes() {
            return body.clone();
        }

        /** The first value of the header, or null; names are case-insensitive. */
        public String header(String name) {
            return first(headers, name);
        }

        /** All values of the header in the order received; names are case-insensitive. */
        public List<String> headers(String name) {
            return Collections.unmodifiableList(headers.getOrDefault(name, List.of()));
        }

        public List<String> setCookies() {
            return headers("Set-Cookie");
        }

        /** The value this response set for the cookie (empty when it expires it), or null if it did not set it. */
        public String setCookieValue(String name) {
            for (String setCookie : setCookies()) {
                int equals = setCookie.indexOf('=');
                if (equals > 0 && setCookie.substring(0, equals).trim().equals(name)) {
                    int semicolon = setCookie.indexOf(';', equals);
                    return (semicolon < 0 ? setCookie.substring(equals + 1)
                            : setCookie.substring(equals + 1, semicolon)).trim();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + headers + "\n" + body();
        }

        private Charset charset() {
            String contentType = header("Content-Type");
            if (contentType != null) {
                int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
                if (at >= 0) {
                    int end = contentType.indexOf(';', at);
                    String name = (end < 0 ? contentType.substring(at + 8) : contentType.substring(at + 8, end))
                            .trim().replace("\"", "");
                    try {
                        return Charset.forName(name);
                    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
                        return StandardCharsets.UTF_8;
                    }
                }
            }
            return StandardCharsets.UTF_8;
        }
    }

    /** The connection failed before any byte of a response arrived. */
    private static final class NoResponse extends IOException {
        NoResponse(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class Connection {

        final Socket socket;
        final InputStream in;
        final OutputStream out;

        Connection(int port, int readTimeoutMillis) throws IOException {
            socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(Loopback.address(port), CONNECT_TIMEOUT_MILLIS);
                socket.setSoTimeout(readTimeoutMillis);
                in = new BufferedInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream());
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // The connection is being discarded either way.
            }
        }
    }
}
