namespace NeonRegistry.Api;

/// <summary>distribution-spec: Determining support (<c>GET /v2/</c>).</summary>
internal static class BaseEndpoints
{
    public static IResult Check() => TypedResults.Text("{}", "application/json; charset=utf-8");
}
