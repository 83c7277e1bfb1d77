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
 * ({@code @ResponseBody}, {@code ResponseEntity}), which would send it before the write; this filter holds those
 * flushes for the request's own thread, as a plain servlet's response is held until the request ends (or until it
 * fills the response buffer). An asynchronous request (server-sent events, streaming) keeps its flushes.
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
