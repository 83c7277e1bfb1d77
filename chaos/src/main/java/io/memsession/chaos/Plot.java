package io.memsession.chaos;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.IntToLongFunction;

import javax.imageio.ImageIO;

/**
 * The run as a PNG: answered requests per second (left scale), errors per second, sessions in one place only and
 * sessions in none (right scale), and a dashed line at every fault. Drawn with java.awt, headless.
 */
final class Plot {

    private static final int WIDTH = 1200;
    private static final int HEIGHT = 560;
    private static final int LEFT = 70;
    private static final int RIGHT = 70;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color ANSWERS = new Color(0x1f77b4);
    private static final Color ERRORS = new Color(0xd62728);
    private static final Color ONE_PLACE = new Color(0xff7f0e);
    private static final Color NOWHERE = Color.BLACK;

    private Plot() {
    }

    static void write(Timeline timeline, int sessions, String title, Path file) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int seconds = timeline.seconds();
            long maxRate = 1;
            for (int s = 0; s < seconds; s++) {
                maxRate = Math.max(maxRate, timeline.answers(s));
            }
            // errors are few next to the answers: they share the right-hand scale with the sessions
            long maxRight = Math.max(1, sessions);
            for (int s = 0; s < seconds; s++) {
                maxRight = Math.max(maxRight, timeline.errors(s));
            }
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.LIGHT_GRAY);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            g.setColor(Color.DARK_GRAY);
            for (int tick = 0; tick <= 4; tick++) {
                int y = TOP + plotHeight - plotHeight * tick / 4;
                g.drawString(Long.toString(maxRate * tick / 4), 8, y + 4);
                g.drawString(Long.toString(maxRight * tick / 4), WIDTH - RIGHT + 8, y + 4);
            }
            for (int s = 0; s <= seconds; s += 5) {
                g.drawString(s + " s", LEFT + plotWidth * s / seconds - 8, HEIGHT - BOTTOM + 18);
            }
            g.drawString("requests/s", 8, TOP - 10);
            g.drawString("sessions, errors/s", WIDTH - RIGHT - 40, TOP - 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, 22);
            series(g, timeline, timeline::answers, maxRate, ANSWERS);
            series(g, timeline, timeline::errors, maxRight, ERRORS);
            series(g, timeline, timeline::inOnePlace, maxRight, ONE_PLACE);
            series(g, timeline, timeline::nowhere, maxRight, NOWHERE);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
            int labelRow = 0;
            for (Timeline.Mark fault : timeline.faults()) {
                int x = LEFT + (int) (plotWidth * fault.second() / seconds);
                g.setColor(Color.GRAY);
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.setColor(Color.DARK_GRAY);
                g.drawString(fault.label(), x + 3, TOP + 14 + 13 * (labelRow++ % 3));
            }
            legend(g, HEIGHT - 18);
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void series(Graphics2D g, Timeline timeline, IntToLongFunction values, long max, Color color) {
        int seconds = timeline.seconds();
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        g.setColor(color);
        g.setStroke(new BasicStroke(2));
        int previousX = -1;
        int previousY = -1;
        for (int s = 0; s < seconds; s++) {
            int x = LEFT + plotWidth * s / seconds + plotWidth / seconds / 2;
            int y = TOP + plotHeight - (int) (plotHeight * values.applyAsLong(s) / max);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            }
            previousX = x;
            previousY = y;
        }
    }

    private static void legend(Graphics2D g, int y) {
        String[] names = {"answered/s", "errors/s", "sessions in one place only", "sessions in no place"};
        Color[] colors = {ANSWERS, ERRORS, ONE_PLACE, NOWHERE};
        int x = LEFT;
        g.setStroke(new BasicStroke(3));
        for (int i = 0; i < names.length; i++) {
            g.setColor(colors[i]);
            g.drawLine(x, y - 4, x + 20, y - 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(names[i], x + 26, y);
            x += 60 + g.getFontMetrics().stringWidth(names[i]);
        }
        g.drawString("dashed: faults", x, y);
    }
}
