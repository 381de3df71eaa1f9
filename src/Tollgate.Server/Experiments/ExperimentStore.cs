using System.Data.Common;
using Dapper;
using Tollgate.Core;
using Tollgate.Core.Catalog;
using Tollgate.Core.Experiments;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Experiments;

/// <summary>The outcome of starting or stopping an experiment.</summary>
public abstract record ExperimentChange
{
    public sealed record Done(Experiment Experiment) : ExperimentChange;

    public sealed record NotFound : ExperimentChange;

    public sealed record Conflict(string Error, string Detail) : ExperimentChange;
}

/// <summary>Experiments and their variants; exposures and conversions live in <see cref="ExperimentTallies"/>.</summary>
public sealed class ExperimentStore(TollgateDatabase database, TimeProvider time)
{
    public Task<Experiment> CreateAsync(string name, IReadOnlyList<ExperimentVariant> variants, CancellationToken cancellationToken = default) =>
        database.WriteAsync(async (c, tx) =>
        {
            var experiment = new Experiment(Ids.New("exp", time), name, ExperimentStatus.Draft, variants, time.GetUtcNow(), null, null);
            await c.ExecuteAsync(new CommandDefinition(
                "INSERT INTO experiments (id, name, status, created_at) VALUES (@Id, @Name, 'draft', @at)",
                new { experiment.Id, experiment.Name, at = experiment.CreatedAt.ToUnixTimeMilliseconds() }, tx,
                cancellationToken: cancellationToken));
            foreach (var (variant, position) in variants.Select((v, i) => (v, i)))
            {
                await c.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO experiment_variants (experiment_id, variant, weight, position) VALUES (@id, @Key, @Weight, @position)",
                    new { id = experiment.Id, variant.Key, variant.Weight, position }, tx, cancellationToken: cancellationToken));
                foreach (var price in variant.Prices)
                {
                    await c.ExecuteAsync(new CommandDefinition("""
                        INSERT INTO experiment_prices (experiment_id, variant, plan_code, billing_period, price_cents)
                        VALUES (@id, @variant, @PlanCode, @period, @PriceCents)
                        """,
                        new { id = experiment.Id, variant = variant.Key, price.PlanCode, period = price.BillingPeriod.ToWire(), price.PriceCents },
                        tx, cancellationToken: cancellationToken));
                }
            }

            return experiment;
        }, cancellationToken);

    public async Task<IReadOnlyList<Experiment>> ListAsync(CancellationToken cancellationToken = default) =>
        await database.ReadAsync(c => ReadAsync(c, "1 = 1", null, cancellationToken), cancellationToken);

    public async Task<Experiment?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => ReadAsync(c, "e.id = @id", new { id }, cancellationToken), cancellationToken)).SingleOrDefault();

    /// <summary>The one running experiment, read on every call so a start or stop on any node is seen at once.</summary>
    public async Task<Experiment?> RunningAsync(CancellationToken cancellationToken = default) =>
        (await database.ReadAsync(c => ReadAsync(c, "e.status = 'running'", null, cancellationToken), cancellationToken)).SingleOrDefault();

    public async Task<ExperimentChange> StartAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            return await MoveAsync(id, ExperimentStatus.Draft, ExperimentStatus.Running, "started_at", cancellationToken);
        }
        catch (DbException e) when (database.IsUniqueViolation(e))
        {
            return new ExperimentChange.Conflict("experiment_running", "Another experiment is running; stop it first.");
        }
    }

    public Task<ExperimentChange> StopAsync(string id, CancellationToken cancellationToken = default) =>
        MoveAsync(id, ExperimentStatus.Running, ExperimentStatus.Stopped, "stopped_at", cancellationToken);

    private async Task<ExperimentChange> MoveAsync(
        string id, ExperimentStatus from, ExperimentStatus to, string stampColumn, CancellationToken cancellationToken)
    {
        var moved = await database.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(
            $"UPDATE experiments SET status = @to, {stampColumn} = @now WHERE id = @id AND status = @from",
            new { id, from = from.ToWire(), to = to.ToWire(), now = time.GetUtcNow().ToUnixTimeMilliseconds() }, tx,
            cancellationToken: cancellationToken)), cancellationToken);
        var experiment = await GetAsync(id, cancellationToken);
        if (experiment is null)
        {
            return new ExperimentChange.NotFound();
        }

        return moved > 0
            ? new ExperimentChange.Done(experiment)
            : new ExperimentChange.Conflict("experiment_not_" + from.ToWire(),
                $"The experiment is {experiment.Status.ToWire()}; only a {from.ToWire()} experiment can be "
                + (to == ExperimentStatus.Running ? "started." : "stopped."));
    }

    private static async Task<IReadOnlyList<Experiment>> ReadAsync(DbConnection c, string where, object? args, CancellationToken ct)
    {
        // Newest first; ids are time-ordered, so two made in the same millisecond keep that order too.
        var rows = (await c.QueryAsync<ExperimentRow>(new CommandDefinition(
            $"SELECT id, name, status, created_at, started_at, stopped_at FROM experiments e WHERE {where} ORDER BY created_at DESC, id DESC",
            args, cancellationToken: ct))).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        var variants = (await c.QueryAsync<VariantRow>(new CommandDefinition($"""
            SELECT v.experiment_id, v.variant, v.weight FROM experiment_variants v JOIN experiments e ON e.id = v.experiment_id
            WHERE {where} ORDER BY v.experiment_id, v.position
            """, args, cancellationToken: ct))).ToList();
        var prices = (await c.QueryAsync<PriceRow>(new CommandDefinition($"""
            SELECT p.experiment_id, p.variant, p.plan_code, p.billing_period, p.price_cents FROM experiment_prices p
            JOIN experiments e ON e.id = p.experiment_id WHERE {where} ORDER BY p.plan_code, p.billing_period
            """, args, cancellationToken: ct))).ToList();
        return [.. rows.Select(r => r.ToDomain(
            [.. variants.Where(v => v.ExperimentId == r.Id).Select(v => new ExperimentVariant(v.Variant, (int)v.Weight,
                [.. prices.Where(p => p.ExperimentId == r.Id && p.Variant == v.Variant).Select(p => p.ToDomain())]))]))];
    }

    private sealed class ExperimentRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Status { get; set; } = "";
        public long CreatedAt { get; set; }
        public long? StartedAt { get; set; }
        public long? StoppedAt { get; set; }

        public Experiment ToDomain(IReadOnlyList<ExperimentVariant> variants) => new(Id, Name, ExperimentStatusNames.Parse(Status), variants,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), At(StartedAt), At(StoppedAt));

        private static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
    }

    private sealed class VariantRow
    {
        public string ExperimentId { get; set; } = "";
        public string Variant { get; set; } = "";
        public long Weight { get; set; }
    }

    private sealed class PriceRow
    {
        public string ExperimentId { get; set; } = "";
        public string Variant { get; set; } = "";
        public string PlanCode { get; set; } = "";
        public string BillingPeriod { get; set; } = "";
        public long PriceCents { get; set; }

        public VariantPrice ToDomain()
        {
            BillingIntervalNames.TryParse(BillingPeriod, out var interval);
            return new VariantPrice(PlanCode, interval, PriceCents);
        }
    }
}
