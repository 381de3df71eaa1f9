using Dapper;
using Tollgate.Core;
using Tollgate.Core.Llm;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Llm;

public sealed record PriceImportResult(IReadOnlyList<ModelPrice> Imported, IReadOnlyList<string> Unchanged);

/// <summary>Effective-dated model prices, with an in-memory price book for pricing calls.</summary>
public sealed class ModelPriceStore(TollgateDatabase database, TimeProvider time)
{
    private static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(2);
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile BookEntry? _book;

    public Task<IReadOnlyList<ModelPrice>> ListAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync<IReadOnlyList<ModelPrice>>(async c => [.. (await c.QueryAsync<PriceRow>(new CommandDefinition(
            "SELECT * FROM model_prices ORDER BY model, effective_from", cancellationToken: cancellationToken))).Select(r => r.ToDomain())],
            cancellationToken);

    /// <summary>
    /// Stores each price unless the model's latest price from at or before that date already says the same;
    /// answers what was added and which models were unchanged. Never reprices calls already logged.
    /// </summary>
    public async Task<PriceImportResult> ImportAsync(IReadOnlyList<ModelPrice> prices, CancellationToken cancellationToken = default)
    {
        var result = await database.WriteAsync(async (c, tx) =>
        {
            var existing = (await c.QueryAsync<PriceRow>(new CommandDefinition("SELECT * FROM model_prices", transaction: tx,
                cancellationToken: cancellationToken))).Select(r => r.ToDomain()).ToLookup(p => p.Model, StringComparer.Ordinal);
            var imported = new List<ModelPrice>();
            var unchanged = new List<string>();
            foreach (var price in prices)
            {
                var current = existing[price.Model].Concat(imported.Where(p => p.Model == price.Model))
                    .Where(p => p.EffectiveFrom <= price.EffectiveFrom).OrderByDescending(p => p.EffectiveFrom).FirstOrDefault();
                if (current is not null && current.SamePricesAs(price))
                {
                    unchanged.Add(price.Model);
                    continue;
                }

                // A row at the same model and date is corrected in place and keeps its id, which logged calls reference.
                var stored = price with { Id = Ids.New("mp", time) };
                var id = await c.ExecuteScalarAsync<string>(new CommandDefinition("""
                    INSERT INTO model_prices (id, model, pattern, provider, effective_from, input_nano, output_nano, cached_input_nano, cache_write_nano,
                        reasoning_nano, request_nano, image_nano, tier_threshold_tokens, tier_input_nano, tier_output_nano, tier_cached_nano,
                        tier_cache_write_nano, source, created_at, cache_write_1h_nano, tier_cache_write_1h_nano)
                    VALUES (@Id, @Model, @Pattern, @Provider, @EffectiveFrom, @InputNano, @OutputNano, @CachedInputNano, @CacheWriteNano, @ReasoningNano,
                        @RequestNano, @ImageNano, @TierThresholdTokens, @TierInputNano, @TierOutputNano, @TierCachedNano, @TierCacheWriteNano, @Source,
                        @CreatedAt, @CacheWrite1hNano, @TierCacheWrite1hNano)
                    ON CONFLICT (model, effective_from) DO UPDATE SET pattern = excluded.pattern, provider = excluded.provider,
                        input_nano = excluded.input_nano, output_nano = excluded.output_nano, cached_input_nano = excluded.cached_input_nano,
                        cache_write_nano = excluded.cache_write_nano, reasoning_nano = excluded.reasoning_nano, request_nano = excluded.request_nano,
                        image_nano = excluded.image_nano, tier_threshold_tokens = excluded.tier_threshold_tokens, tier_input_nano = excluded.tier_input_nano,
                        tier_output_nano = excluded.tier_output_nano, tier_cached_nano = excluded.tier_cached_nano,
                        tier_cache_write_nano = excluded.tier_cache_write_nano, source = excluded.source,
                        created_at = excluded.created_at, cache_write_1h_nano = excluded.cache_write_1h_nano,
                        tier_cache_write_1h_nano = excluded.tier_cache_write_1h_nano
                    RETURNING id
                    """, PriceRow.From(stored, time.GetUtcNow()), tx, cancellationToken: cancellationToken));
                imported.Add(stored with { Id = id! });
            }

            return new PriceImportResult(imported, unchanged);
        }, cancellationToken);
        _book = null;
        return result;
    }

    public Task<bool> AnyAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM model_prices", cancellationToken: cancellationToken)) > 0, cancellationToken);

    /// <summary>The price book, rechecked against the table every couple of seconds so prices added on another node show up.</summary>
    public async ValueTask<PriceBook> BookAsync(CancellationToken cancellationToken = default)
    {
        var entry = _book;
        var now = time.GetUtcNow();
        if (entry is not null && now - entry.CheckedAt < RecheckAfter)
        {
            return entry.Book;
        }

        await _reload.WaitAsync(cancellationToken);
        try
        {
            var stamp = await database.ReadAsync(c => c.ExecuteScalarAsync<string>(new CommandDefinition(
                "SELECT CAST(COUNT(*) AS TEXT) || ':' || CAST(COALESCE(MAX(created_at), 0) AS TEXT) FROM model_prices",
                cancellationToken: cancellationToken)), cancellationToken);
            if (_book is { } current && current.Stamp == stamp)
            {
                _book = current with { CheckedAt = now };
                return current.Book;
            }

            var book = new PriceBook(await ListAsync(cancellationToken));
            _book = new BookEntry(book, stamp ?? "", now);
            return book;
        }
        finally
        {
            _reload.Release();
        }
    }

    private sealed record BookEntry(PriceBook Book, string Stamp, DateTimeOffset CheckedAt);

    private sealed class PriceRow
    {
        public string Id { get; set; } = "";
        public string Model { get; set; } = "";
        public string? Pattern { get; set; }
        public string Provider { get; set; } = "";
        public long EffectiveFrom { get; set; }
        public long? InputNano { get; set; }
        public long? OutputNano { get; set; }
        public long? CachedInputNano { get; set; }
        public long? CacheWriteNano { get; set; }
        public long? CacheWrite1hNano { get; set; }
        public long? ReasoningNano { get; set; }
        public long? RequestNano { get; set; }
        public long? ImageNano { get; set; }
        public long? TierThresholdTokens { get; set; }
        public long? TierInputNano { get; set; }
        public long? TierOutputNano { get; set; }
        public long? TierCachedNano { get; set; }
        public long? TierCacheWriteNano { get; set; }
        public long? TierCacheWrite1hNano { get; set; }
        public string? Source { get; set; }
        public long CreatedAt { get; set; }

        public ModelPrice ToDomain() => new(Id, Model, Pattern, Provider, DateTimeOffset.FromUnixTimeMilliseconds(EffectiveFrom), InputNano, OutputNano,
            CachedInputNano, CacheWriteNano, ReasoningNano, RequestNano, ImageNano,
            TierThresholdTokens is { } threshold
                ? new PriceTier(threshold, TierInputNano, TierOutputNano, TierCachedNano, TierCacheWriteNano, TierCacheWrite1hNano) : null,
            Source, CacheWrite1hNano);

        public static PriceRow From(ModelPrice p, DateTimeOffset now) => new()
        {
            Id = p.Id, Model = p.Model, Pattern = p.Pattern, Provider = p.Provider, EffectiveFrom = p.EffectiveFrom.ToUnixTimeMilliseconds(),
            InputNano = p.InputNano, OutputNano = p.OutputNano, CachedInputNano = p.CachedInputNano, CacheWriteNano = p.CacheWriteNano,
            ReasoningNano = p.ReasoningNano, RequestNano = p.RequestNano, ImageNano = p.ImageNano, TierThresholdTokens = p.Tier?.ThresholdTokens,
            TierInputNano = p.Tier?.InputNano, TierOutputNano = p.Tier?.OutputNano, TierCachedNano = p.Tier?.CachedInputNano,
            TierCacheWriteNano = p.Tier?.CacheWriteNano, Source = p.Source, CreatedAt = now.ToUnixTimeMilliseconds(),
            CacheWrite1hNano = p.CacheWrite1hNano, TierCacheWrite1hNano = p.Tier?.CacheWrite1hNano,
        };
    }
}
