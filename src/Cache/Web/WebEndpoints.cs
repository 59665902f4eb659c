using NeonRegistry.Api;

namespace NeonRegistry.Web;

/// <summary>
/// The web pages for operators, on the API's port and behind its login: <c>/</c> for a browser (a request that
/// does not accept HTML gets the API's answer, as before), a repository's tags, and this instance's status.
/// Server-rendered, with no script at all, which the content security policy makes a promise.
/// </summary>
internal static class WebEndpoints
{
    public const string RepositoryPath = "/ui/repositories/";
    public const string StatusPath = "/ui/status";
    public const string StylesheetPath = "/ui/style.css";

    // Nothing from anywhere else, no script, no framing: what a page of names and annotations from clients needs.
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IServiceCollection AddWebPages(this IServiceCollection services) =>
        services.AddSingleton<StoreOverview>().AddSingleton<RepositoriesPage>().AddSingleton<RepositoryPage>().AddSingleton<StatusPage>();

    public static WebApplication MapWebPages(this WebApplication app)
    {
        app.MapGet("/", (HttpContext http, RepositoriesPage page, V2Dispatcher dispatcher, CancellationToken ct) =>
            AcceptsHtml(http) ? Secured(http, page.RenderAsync(http, ct)) : dispatcher.DispatchAsync(http));
        app.MapGet(RepositoryPath + "{**name}", (HttpContext http, string name, RepositoryPage page, CancellationToken ct) =>
            Secured(http, page.RenderAsync(http, name, ct)));
        app.MapGet(StatusPath, (HttpContext http, StatusPage page, CancellationToken ct) => Secured(http, page.RenderAsync(ct)));
        app.MapGet(StylesheetPath, (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return SmallBody.Text(Stylesheet.Css, Stylesheet.ContentType);
        });
        return app;
    }

    private static bool AcceptsHtml(HttpContext http) =>
        http.Request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    private static async Task<IResult> Secured(HttpContext http, Task<IResult> page)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "same-origin";
        return await page;
    }
}
