package io.memsession.tomcat;

import java.util.function.BooleanSupplier;

import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;

/** {@link HeldOutputStream} on Servlet 3.1 and later: non-blocking output passes through. */
final class TomcatLineOutputStream extends HeldOutputStream {

    TomcatLineOutputStream(ServletOutputStream out, BooleanSupplier holds) {
        super(out, holds);
    }

    @Override
    public boolean isReady() {
        return out.isReady();
    }

    @Override
    public void setWriteListener(WriteListener listener) {
        out.setWriteListener(listener);
    }
}
