package io.memsession.tomcat;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.EnumSet;

import javax.servlet.DispatcherType;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.FilterRegistration;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;
import javax.servlet.ServletOutputStream;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpServletResponseWrapper;

/**
 * Where a request's session is written before its response leaves (non-sticky mode, synchronous backups), so that
 * the next request, on any Tomcat, reads what this one did, and a Tomcat that dies right after its answer loses
 * nothing the client saw acknowledged. A servlet that flushes its response (Spring MVC's message converters for
 * {@code @ResponseBody} and {@code ResponseEntity}, {@code flushBuffer()}), or declares its length and writes it
 * all (a response whose declared length has been written may leave at once), would send it before the write. This
 * filter, the first of the context's, holds those flushes and leaves the length to Tomcat, which declares it at the
 * end of the request; so a response leaves when the request ends, after the write, or when it fills the response
 * buffer. An asynchronous request (server-sent events, streaming) keeps its flushes and its length.
 */
final class HeldFlushes implements Filter {

    static final String NAME = "memsessionHeldFlushes";

    /**
     * Adds the filter ahead of the context's own. Here and not in the Manager: verifying a class that passes a
     * {@code HeldFlushes} as a {@code Filter} loads {@code javax.servlet.Filter}, and the Manager must load on a Tomcat
     * of another line to tell its administrator which jar to install instead (WrongLineJarIT).
     *
     * @throws IllegalStateException when the context has started already
     */
    static void addTo(ServletContext context) {
        FilterRegistration.Dynamic held = context.addFilter(NAME, new HeldFlushes());
        if (held != null) { // null: added at an earlier start of this context, and still there
            held.setAsyncSupported(true);
            held.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
        }
    }

    @Override
    public void init(FilterConfig config) {
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest && response instanceof HttpServletResponse) {
            chain.doFilter(request, new Held((HttpServletRequest) request, (HttpServletResponse) response));
        } else {
            chain.doFilter(request, response);
        }
    }

    @Override
    public void destroy() {
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

        /** Servlet 3.1's, declared without {@code @Override} so that Tomcat 7's Servlet 3.0 compiles it too. */
        public void setContentLengthLong(long length) {
            if (!holds()) {
                ((HttpServletResponse) getResponse()).setHeader(CONTENT_LENGTH, String.valueOf(length));
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
                stream = new TomcatLineOutputStream(super.getOutputStream(), this::holds);
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
