using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// Consumes of one unit, each with its own idempotency key, sent by several workers round the nodes and customers until
/// stopped; every answer is recorded with when it was sent and what it said.
/// </summary>
public sealed class ConsumeLoad
{
    private readonly IReadOnlyList<TollgateApp> _nodes;
    private readonly IReadOnlyList<string> _customers;
    private readonly string _feature;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private Task? _workers;
    private int _sent;

    public ConsumeLoad(IReadOnlyList<TollgateApp> nodes, IReadOnlyList<string> customers, string feature) =>
        (_nodes, _customers, _feature) = (nodes, customers, feature);

    public ConcurrentQueue<Answer> Answers { get; } = new();

    /// <summary>Seconds since the load was made, the time line every answer is placed on.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>One answer: the node (0-based), the customer, the status, the problem's error code, whether Retry-After came.</summary>
    public sealed record Answer(int Node, string Customer, int Status, string? Error, bool RetryAfter, double SentAt, double AnsweredAt, string Body);

    public void Start(int workers) => _workers = Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => WorkAsync(w))));

    /// <summary>Stops sending and waits for the answers still out (each request has its own time limit, so this is bounded).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _workers!;
    }

    private async Task WorkAsync(int worker)
    {
        while (!_stop.IsCancellationRequested)
        {
            var n = Interlocked.Increment(ref _sent);
            var node = (n + worker) % _nodes.Count;
            var customer = _customers[n % _customers.Count];
            var sentAt = Now;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            HttpResponseMessage response;
            try
            {
                response = await _nodes[node].Admin.PostAsync(new Uri("/v1/entitlements/consume", UriKind.Relative),
                    Json.Content(new { customer, feature = _feature, amount = 1, idempotency_key = $"load-{n}" }), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Answers.Enqueue(new Answer(node, customer, 0, "no answer within 30 s", false, sentAt, Now, ""));
                continue;
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                var error = response.StatusCode == HttpStatusCode.OK ? null : ErrorOf(body);
                Answers.Enqueue(new Answer(node, customer, (int)response.StatusCode, error, response.Headers.RetryAfter?.Delta > TimeSpan.Zero,
                    sentAt, Now, body));
            }
        }
    }

    private static string? ErrorOf(string body)
    {
        try
        {
            return System.Text.Json.Nodes.JsonNode.Parse(body)?["error"]?.GetValue<string>();
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
