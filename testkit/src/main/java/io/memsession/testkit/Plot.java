package io.memsession.testkit;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/**
 * A line chart as a PNG, for the runs of bin/chaos and bin/benchmark: series of values over equal steps (a second,
 * a cycle), each on the left or the right scale, with labelled ticks along the bottom and dashed vertical marks
 * (faults). Drawn with java.awt, headless. Step {@code i}'s value is drawn in the middle of {@code [i, i + 1)}.
 */
public final class Plot {

    /** Series colours in order: blue, red, orange, black, then more for the benchmark's configurations. */
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0xff7f0e), Color.BLACK,
            new Color(0x2ca02c), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
            new Color(0xbcbd22), Color.GRAY};
    private static final int WIDTH = 1200;
    private static final int HEIGHT = 560;
    private static final int LEFT = 70;
    private static final int RIGHT = 70;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;

    /** @param right whether it is drawn on the right-hand scale */
    public record Series(String name, double[] values, boolean right) {
    }

    /** A label at {@code position} on the bottom axis (in steps, 0 to the number of steps). */
    public record Tick(double position, String label) {
    }

    /** A dashed vertical line at {@code position} (in steps). */
    public record Mark(double position, String label) {
    }

    /**
     * @param leftMinimum the left scale's top is at least this; likewise {@code rightMinimum}
     * @param rightLabel null for a chart without a right-hand scale
     * @param marksLegend what the dashed lines are, for the legend; null without marks
     */
    public record Chart(String title, int steps, String leftLabel, double leftMinimum, String rightLabel,
                        double rightMinimum, List<Series> series, List<Tick> ticks, List<Mark> marks,
                        String marksLegend) {
    }

    private Plot() {
    }

    public static void write(Chart chart, Path file) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            double maxLeft = max(chart, false, chart.leftMinimum());
            double maxRight = max(chart, true, chart.rightMinimum());
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            int steps = Math.max(1, chart.steps());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(Color.LIGHT_GRAY);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            g.setColor(Color.DARK_GRAY);
            for (int tick = 0; tick <= 4; tick++) {
                int y = TOP + plotHeight - plotHeight * tick / 4;
                g.drawString(scaleLabel(maxLeft * tick / 4, maxLeft), 8, y + 4);
                if (chart.rightLabel() != null) {
                    g.drawString(scaleLabel(maxRight * tick / 4, maxRight), WIDTH - RIGHT + 8, y + 4);
                }
            }
            for (Tick tick : chart.ticks()) {
                g.drawString(tick.label(), LEFT + (int) (plotWidth * tick.position() / steps) - 8,
                        HEIGHT - BOTTOM + 18);
            }
            g.drawString(chart.leftLabel(), 8, TOP - 10);
            if (chart.rightLabel() != null) {
                g.drawString(chart.rightLabel(), WIDTH - RIGHT - 40, TOP - 10);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(chart.title(), LEFT, 22);
            for (int i = 0; i < chart.series().size(); i++) {
                Series series = chart.series().get(i);
                series(g, series.values(), steps, series.right() ? maxRight : maxLeft, COLORS[i % COLORS.length]);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
            int labelRow = 0;
            for (Mark mark : chart.marks()) {
                int x = LEFT + (int) (plotWidth * mark.position() / steps);
                g.setColor(Color.GRAY);
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.setColor(Color.DARK_GRAY);
                g.drawString(mark.label(), x + 3, TOP + 14 + 13 * (labelRow++ % 3));
            }
            legend(g, chart, HEIGHT - 18);
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static double max(Chart chart, boolean right, double minimum) {
        double max = minimum > 0 ? minimum : 1;
        for (Series series : chart.series()) {
            if (series.right() == right) {
                for (double value : series.values()) {
                    max = Math.max(max, value);
                }
            }
        }
        return max;
    }

    /** Whole numbers for counts and rates, two decimals for ratios. */
    private static String scaleLabel(double value, double max) {
        return max >= 10 ? Long.toString(Math.round(value)) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static void series(Graphics2D g, double[] values, int steps, double max, Color color) {
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        g.setColor(color);
        g.setStroke(new BasicStroke(2));
        int previousX = -1;
        int previousY = -1;
        for (int i = 0; i < values.length; i++) {
            int x = LEFT + (int) (plotWidth * (i + 0.5) / steps);
            int y = TOP + plotHeight - (int) (plotHeight * values[i] / max);
            if (previousX >= 0) {
                g.drawLine(previousX, previousY, x, y);
            } else if (values.length == 1) {
                g.fillOval(x - 3, y - 3, 6, 6); // a single step has no line to draw
            }
            previousX = x;
            previousY = y;
        }
    }

    private static void legend(Graphics2D g, Chart chart, int y) {
        int x = LEFT;
        g.setStroke(new BasicStroke(3));
        for (int i = 0; i < chart.series().size(); i++) {
            String name = chart.series().get(i).name();
            g.setColor(COLORS[i % COLORS.length]);
            g.drawLine(x, y - 4, x + 20, y - 4);
            g.setColor(Color.DARK_GRAY);
            g.drawString(name, x + 26, y);
            x += 60 + g.getFontMetrics().stringWidth(name);
        }
        if (chart.marksLegend() != null) {
            g.drawString(chart.marksLegend(), x, y);
        }
    }
}
