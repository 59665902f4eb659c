using System.Globalization;
using NeonRegistry.Api;
using NeonRegistry.Configuration;
using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace NeonRegistry.Hosting;

/// <summary>
/// Serilog, set up once here: the level from LOG_LEVEL, text or JSON lines from LOG_FORMAT, the instance's name
/// on every event, and one line per request. Nothing here logs a query string, where upload-state tokens travel,
/// nor any header, where credentials travel.
/// </summary>
internal static class RegistryLogging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Instance} {Message:lj}{NewLine}{Exception}";
    private const string RequestTemplate =
        "{RequestMethod} {Repository} {Reference} {StatusCode} {ResponseBytes} bytes {Elapsed:0.0} ms from {ClientAddress}";

    public static void AddRegistryLogging(this WebApplicationBuilder builder, RegistryOptions options)
    {
        // Framework events stay below the operator's level unless asked for; request lines are our own.
        var framework = options.LogLevel == LogEventLevel.Debug ? LogEventLevel.Debug : LogEventLevel.Warning;
        builder.Services.AddSerilog(logger =>
        {
            logger.MinimumLevel.Is(options.LogLevel)
                .MinimumLevel.Override("Microsoft", framework)
                .MinimumLevel.Override("System", framework)
                // The hosting diagnostics print full URLs, query string and all: never at any level.
                .MinimumLevel.Override("Microsoft.AspNetCore.Hosting.Diagnostics", LogEventLevel.Warning)
                .Enrich.WithProperty("Instance", options.InstanceName)
                .Enrich.FromLogContext();
            // Written in batches on a background thread: a request never waits for the console (a pipe to the
            // container runtime), and a busy second costs a few writes instead of one per line.
            ITextFormatter format = options.JsonLogs
                ? new RenderedCompactJsonFormatter()
                : new MessageTemplateTextFormatter(TextTemplate, CultureInfo.InvariantCulture);
            logger.WriteTo.Sink(new BatchedConsoleSink(format), new BatchingOptions { BufferingTimeLimit = TimeSpan.FromMilliseconds(100) });
        });
    }

    public static void UseRegistryRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            options.MessageTemplate = RequestTemplate;
            // Probes and scrapes come every few seconds and would bury the requests people read logs for.
            options.GetLevel = (http, _, exception) =>
                exception is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : ProbePaths.IsProbe(http) ? LogEventLevel.Debug
                : LogEventLevel.Information;
            options.EnrichDiagnosticContext = (context, http) =>
            {
                var route = RequestRoute.Of(http).Route;
                context.Set("Repository", route?.Name?.Value ?? "-");
                context.Set("Reference", route?.Reference ?? "-");
                // Runs once the response is over, so every copy of its body has been counted.
                context.Set("ResponseBytes", BodyBytes.Of(http).Sent);
                context.Set("ClientAddress", http.Connection.RemoteIpAddress?.ToString());
            };
        });
    }
}
