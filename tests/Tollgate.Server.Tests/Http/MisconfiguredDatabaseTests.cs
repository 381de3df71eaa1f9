using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Tollgate.Server.Http;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Tests.Http;

/// <summary>A database error that a setting causes (a pooler in transaction mode with prepared statements on) is the operator's, not a bug.</summary>
public sealed class MisconfiguredDatabaseTests
{
    [Theory]
    [InlineData("26000")] // prepared statement "_p1" does not exist: PgBouncer handed the statement to another server connection
    [InlineData("42P05")] // prepared statement "_p1" already exists
    public async Task APreparedStatementLostBehindATransactionPoolerIsA503NamingNoSettingToTheCallerNotA500(string sqlState)
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=1;Username=nobody;Database=none");
        var handler = new ErrorHandling(NullLogger<ErrorHandling>.Instance, database,
            Options.Create(new Microsoft.AspNetCore.Http.Json.JsonOptions()));
        var http = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        http.Response.Body = new MemoryStream();

        var handled = await handler.TryHandleAsync(http, new PostgresException("prepared statement \"_p1\" does not exist", "ERROR", "ERROR", sqlState),
            CancellationToken.None);
        http.Response.Body.Position = 0;
        var body = await new StreamReader(http.Response.Body).ReadToEndAsync();

        Assert.True(handled);
        Assert.Equal(503, http.Response.StatusCode);
        Assert.Contains("\"database_misconfigured\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("PreparedStatements", body, StringComparison.Ordinal);
        Assert.Equal("5", http.Response.Headers.RetryAfter.ToString());
    }
}
