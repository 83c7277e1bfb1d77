package io.memsession.spring.boot;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Non-sticky mode: a request's session is written before its response leaves, so the next request, on any
 * instance, reads what this one did. Spring MVC's message converters flush the response they write
 * ({@code @ResponseBody}, {@code ResponseEntity}) and declare its length, and a response whose declared length has
 * been written can leave at once (Boot 4's on Tomcat 11 did): either would send it before the write. This filter holds those flushes, and
 * leaves the length to Tomcat, which declares it at the end of the request; a plain servlet's response is held so
 * too (until the request ends, or until it fills the response buffer). An asynchronous request (server-sent events,
 * streaming) keeps its flushes and its length.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
final class HeldFlushes implements Filter {

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest && response instanceof HttpServletResponse) {
            chain.doFilter(request, new Held((HttpServletRequest) request, (HttpServletResponse) response));
        } else {
            chain.doFilter(request, response);
        }
    }

    private static final class Held extends HttpServletResponseWrapper {
        private static final String CONTENT_LENGTH = "Content-Length";

        private final HttpServletRequest request;
        private ServletOutputStream stream;
        private PrintWriter writer;

        Held(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        private boolean holds() {
            return !request.isAsyncStarted();
        }

        @Override
        public void setContentLength(int length) {
            if (!holds()) {
                super.setContentLength(length);
            }
        }

        @Override
        public void setContentLengthLong(long length) {
            if (!holds()) {
                super.setContentLengthLong(length);
            }
        }

        @Override
        public void setHeader(String name, String value) {
            if (!holds() || !CONTENT_LENGTH.equalsIgnoreCase(name)) {
                super.setHeader(name, value);
            }
        }

        @Override
        public void addHeader(String name, String value) {
            if (!holds() || !CONTENT_LENGTH.equalsIgnoreCase(name)) {
                super.addHeader(name, value);
            }
        }

        @Override
        public void setIntHeader(String name, int value) {
            if (!holds() || !CONTENT_LENGTH.equalsIgnoreCase(name)) {
                super.setIntHeader(name, value);
            }
        }

        @Override
        public void addIntHeader(String name, int value) {
            if (!holds() || !CONTENT_LENGTH.equalsIgnoreCase(name)) {
                super.addIntHeader(name, value);
            }
        }

        @Override
        public void flushBuffer() throws IOException {
            if (!holds()) {
                super.flushBuffer();
            }
        }

        @Override
        public ServletOutputStream getOutputStream() throws IOException {
            if (stream == null) {
                ServletOutputStream out = super.getOutputStream();
                stream = new ServletOutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        out.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void flush() throws IOException {
                        if (!holds()) {
                            out.flush();
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        out.close();
                    }

                    @Override
                    public boolean isReady() {
                        return out.isReady();
                    }

                    @Override
                    public void setWriteListener(WriteListener listener) {
                        out.setWriteListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public PrintWriter getWriter() throws IOException {
            if (writer == null) {
                writer = new PrintWriter(new FilterWriter(super.getWriter()) {
                    @Override
                    public void flush() throws IOException {
                        if (!holds()) {
                            out.flush();
                        }
                    }
                });
            }
            return writer;
        }
    }
}
