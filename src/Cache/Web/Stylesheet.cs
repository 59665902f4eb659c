namespace NeonRegistry.Web;

/// <summary>The pages' one stylesheet, served by the binary itself: nothing is fetched from anywhere else.</summary>
internal static class Stylesheet
{
    public const string ContentType = "text/css; charset=utf-8";

    public const string Css = """
        :root { --fg: #1d2330; --muted: #5c667a; --line: #d9dee8; --accent: #0b62c4; --bg: #f6f7fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: baseline; padding: .7rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
        header nav { display: flex; gap: 1rem; margin-left: auto; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        .brand { font-weight: 700; color: var(--fg); }
        .host, .muted { color: var(--muted); }
        main { max-width: 90rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.3rem; margin: .2rem 0 1rem; overflow-wrap: anywhere; }
        form.search { display: flex; gap: .5rem; margin-bottom: 1rem; }
        form.search input { flex: 1; min-width: 0; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
        button { padding: .45rem .9rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; font: inherit; }
        table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
        th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; }
        thead th { font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
        td.num { text-align: right; white-space: nowrap; }
        code, .digest { font: .85em ui-monospace, monospace; overflow-wrap: anywhere; }
        code.pull { display: inline-block; padding: .15rem .35rem; background: var(--bg); border: 1px solid var(--line); border-radius: 3px; user-select: all; }
        ul.plain { list-style: none; margin: 0; padding: 0; }
        .state-healthy { color: #17803d; } .state-degraded { color: #a05a00; } .state-unhealthy { color: #b3261e; }
        .pager { margin-top: 1rem; }
        @media (max-width: 40rem) {
          table, tbody, tr, td { display: block; width: 100%; }
          thead { display: none; }
          tr { border-bottom: 2px solid var(--line); }
          td { border: 0; padding: .2rem .6rem; }
          td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-size: .8rem; }
          td.num { text-align: left; }
        }
        """;
}
