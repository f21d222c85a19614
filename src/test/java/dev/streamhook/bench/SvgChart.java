package dev.streamhook.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A hand-written SVG of horizontal bar panels on a log scale (the baselines can be a hundred times
 * StreamHook's rate, and a linear axis would hide the smaller bars). Each bar is labeled with its
 * value, so the chart reads without the axis. Not thread-safe; build, then {@link #render()}.
 */
final class SvgChart {

    record Bar(String group, String label, double value, String color) {
    }

    private record Panel(String title, String unit, List<Bar> bars) {
    }

    private static final int WIDTH = 960;
    private static final int LEFT = 330;
    private static final int RIGHT = 110;
    private static final int BAR = 16;
    private static final int GAP = 4;
    private static final int GROUP_GAP = 12;
    private final String title;
    private final List<Panel> panels = new ArrayList<>();

    SvgChart(String title) {
        this.title = title;
    }

    void panel(String title, String unit, List<Bar> bars) {
        List<Bar> shown = bars.stream().filter(b -> b.value() > 0 && Double.isFinite(b.value())).toList();
        if (!shown.isEmpty()) {
            panels.add(new Panel(title, unit, shown));
        }
    }

    String render() {
        StringBuilder body = new StringBuilder();
        int y = 40;
        for (Panel p : panels) {
            y = renderPanel(body, p, y) + 30;
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, y, WIDTH, y));
        svg.append(String.format("<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n"));
        svg.append(String.format("<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", esc(title)));
        svg.append(body);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private int renderPanel(StringBuilder out, Panel p, int top) {
        double min = p.bars().stream().mapToDouble(Bar::value).min().orElse(1);
        double max = p.bars().stream().mapToDouble(Bar::value).max().orElse(10);
        int lo = (int) Math.floor(Math.log10(min));
        int hi = Math.max(lo + 1, (int) Math.ceil(Math.log10(max)));
        int plot = WIDTH - LEFT - RIGHT;
        out.append(String.format("<text x=\"10\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", top + 4, esc(p.title())));
        int y = top + 24;
        int gridTop = y - 6;
        String group = null;
        StringBuilder bars = new StringBuilder();
        for (Bar b : p.bars()) {
            if (!b.group().equals(group)) {
                if (group != null) {
                    y += GROUP_GAP;
                }
                group = b.group();
                bars.append(String.format("<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>%n", y + BAR - 4, esc(group)));
                y += BAR + GAP;
            }
            double w = Math.max(1, plot * (Math.log10(b.value()) - lo) / (hi - lo));
            bars.append(String.format(Locale.ROOT, "<text x=\"24\" y=\"%d\">%s</text>%n", y + BAR - 4, esc(b.label())));
            bars.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", LEFT, y, w, BAR, b.color()));
            bars.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s %s</text>%n", LEFT + w + 4, y + BAR - 4, format(b.value()), esc(p.unit())));
            y += BAR + GAP;
        }
        for (int d = lo; d <= hi; d++) {
            double x = LEFT + plot * (double) (d - lo) / (hi - lo);
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, gridTop, x, y));
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#777\" font-size=\"10\">%s</text>%n",
                    x, y + 12, format(Math.pow(10, d))));
        }
        out.append(bars);
        return y + 14;
    }

    static String format(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
