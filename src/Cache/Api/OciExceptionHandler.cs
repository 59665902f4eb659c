using Microsoft.AspNetCore.Diagnostics;
using NeonRegistry.Oci;

namespace NeonRegistry.Api;

/// <summary>
/// The single path from a fault to the OCI error envelope: a <see cref="RegistryException"/> becomes its code and
/// status; a client that went away is not an error; anything else is a 500, logged once.
/// </summary>
internal sealed partial class OciExceptionHandler(ILogger<OciExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            LogClientGone(logger, http.Request.Method, http.Request.Path);
            return true;
        }

        var store = StoreFault.ErrorOrNull(exception);
        if (store is not null)
        {
            // The OS error and the path, for the operator; the client hears what it can tell its user.
            LogStoreFault(logger, http.Request.Method, http.Request.Path, http.TraceIdentifier, exception.Message);
        }

        var result = exception switch
        {
            _ when store is not null => OciResults.Error(store),
            RegistryException registry => OciResults.Error(registry),
            BadHttpRequestException bad => OciResults.Error(OciErrorCode.SizeInvalid, $"the request was malformed or cut short: {bad.Message}"),
            _ => null,
        };
        if (result is null)
        {
            LogUnexpected(logger, exception, http.Request.Method, http.Request.Path, http.TraceIdentifier);
            result = OciResults.Error(OciErrorCode.Unknown, $"internal error; the registry's log has the details under request id {http.TraceIdentifier}");
        }

        if (!http.Response.HasStarted)
        {
            await result.ExecuteAsync(http);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client went away during {Method} {Path}")]
    private static partial void LogClientGone(ILogger logger, string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Store fault in {Method} {Path} (request {RequestId}): {OsError}")]
    private static partial void LogStoreFault(ILogger logger, string method, string path, string requestId, string osError);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled fault in {Method} {Path} (request {RequestId})")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path, string requestId);
}
