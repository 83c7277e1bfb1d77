package io.memsession.samples;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import io.memsession.tomcat.MemcachedSessionManager;

/**
 * memsession's statistics as plain text, one {@code name=value} line per {@code msmStat*} attribute (the ones JMX
 * shows), e.g. {@code msmStatBackupLagInfo=Count = 120, Min = 0, Avg = 1, Max = 4}. The load benchmark reads them
 * over HTTP because its Tomcat runs in another JVM.
 */
public class MemsessionStatsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient MemcachedSessionManager manager;

    MemsessionStatsServlet(MemcachedSessionManager manager) {
        this.manager = manager;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = response.getWriter();
        // Every getMsmStat* getter, found by name, so a statistic added to the manager shows up here too.
        Method[] getters = Arrays.stream(MemcachedSessionManager.class.getMethods())
                .filter(method -> method.getName().startsWith("getMsmStat") && method.getParameterCount() == 0)
                .sorted(Comparator.comparing(Method::getName))
                .toArray(Method[]::new);
        for (Method getter : getters) {
            Object value;
            try {
                value = getter.invoke(manager);
            } catch (ReflectiveOperationException e) {
                value = "unavailable: " + e;
            }
            String text = value instanceof String[] ? String.join(", ", (String[]) value) : String.valueOf(value);
            out.print("m" + getter.getName().substring(4) + "=" + text + "\n");
        }
    }
}
