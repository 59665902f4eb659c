namespace NeonRegistry.Integration.Support;

/// <summary>One request a <see cref="TokenIssuer"/> received, and how it answered.</summary>
/// <param name="Scopes">Every <c>scope</c> query parameter, e.g. <c>repository:team/app:pull</c>.</param>
/// <param name="CarriedCredentials">Whether the request had an Authorization header at all, right or wrong.</param>
/// <param name="Status">200 when a token was issued.</param>
public sealed record TokenRequest(string? Service, IReadOnlyList<string> Scopes, bool CarriedCredentials, int Status);
