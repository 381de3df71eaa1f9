using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Tollgate.Storage.Database;
using Tollgate.Testing;

namespace Tollgate.Server.Tests.Hosting;

/// <summary>
/// A commit whose answer was lost may have happened: the group committer does not run it again, and the caller is told
/// so, instead of reading it as an outage that any retry cures.
/// </summary>
public sealed class CommitOutcomeUnknownTests
{
    [Fact]
    public async Task ACommitWhoseAnswerWasLostIsA503ThatSaysToRetryOnlyWithTheSameIdempotencyKey()
    {
        await using var app = await TollgateApp.StartAsync(StoreKind.Sqlite);
        var handler = app.Get<IEnumerable<IExceptionHandler>>().Single();
        var context = new DefaultHttpContext { RequestServices = app.Get<IServiceProvider>() };
        context.Response.Body = new MemoryStream();
        // What a broken connection during COMMIT looks like on PostgreSQL: a transient I/O error, which alone would be an outage.
        var lost = new CommitOutcomeUnknownException(new Npgsql.NpgsqlException("Exception while reading from stream", new IOException("reset")));

        var handled = await handler.TryHandleAsync(context, lost, CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
        var body = JsonNode.Parse(System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()))!;
        Assert.Equal("commit_outcome_unknown", body["error"]!.GetValue<string>());
        Assert.Contains("Idempotency-Key", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
