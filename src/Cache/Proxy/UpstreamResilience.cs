using System.Net;
using NeonRegistry.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace NeonRegistry.Proxy;

/// <summary>
/// The Polly pipeline around sending a request until its headers arrive (never around a body copy):
/// a circuit breaker, so an outage costs one timeout per break rather than one per request; jittered retries of
/// transient faults; and a timeout per attempt.
/// </summary>
internal static class UpstreamResilience
{
    /// <param name="breaker">Reports whether the breaker is open, for metrics and readiness.</param>
    public static ResiliencePipeline<HttpResponseMessage> Create(UpstreamOptions options, TimeProvider clock, CircuitBreakerStateProvider breaker) =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakDuration,
                StateProvider = breaker,
                ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome)),
            })
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                // A timed-out attempt is not retried: an upstream that stopped answering would cost a timeout per try.
                ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome) && args.Outcome.Exception is not TimeoutRejectedException),
            })
            .AddTimeout(options.RequestTimeout)
            .Build();

    /// <summary>Refused or timed-out connections and 5xx answers. A 429 is the upstream working as designed: passed on, not retried.</summary>
    public static bool IsOutage(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException
        || outcome.Result?.StatusCode is >= HttpStatusCode.InternalServerError;
}
