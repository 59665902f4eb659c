namespace NeonRegistry.Api;

/// <summary>distribution-spec: Determining support (<c>GET /v2/</c>).</summary>
internal static class BaseEndpoints
{
    public static IResult Check() => new SmallBody("{}"u8.ToArray(), "application/json; charset=utf-8");
}
