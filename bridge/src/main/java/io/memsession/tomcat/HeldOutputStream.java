package io.memsession.tomcat;

import java.io.IOException;
import java.util.function.BooleanSupplier;

import javax.servlet.ServletOutputStream;

/**
 * The response's stream as {@link HeldFlushes} hands it to the application: its flushes do nothing while the
 * response is held. What Servlet 3.1 added to the stream is each line's ({@link TomcatLineOutputStream}).
 */
abstract class HeldOutputStream extends ServletOutputStream {

    final ServletOutputStream out;
    private final BooleanSupplier holds;

    HeldOutputStream(ServletOutputStream out, BooleanSupplier holds) {
        this.out = out;
        this.holds = holds;
    }

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
        if (!holds.getAsBoolean()) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
