package io.memsession.tomcat;

import java.util.function.BooleanSupplier;

import javax.servlet.ServletOutputStream;

/** {@link HeldOutputStream} on Servlet 3.0, which has no non-blocking output. */
final class TomcatLineOutputStream extends HeldOutputStream {

    TomcatLineOutputStream(ServletOutputStream out, BooleanSupplier holds) {
        super(out, holds);
    }
}
