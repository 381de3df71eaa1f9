using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Tollgate.Core.Catalog;
using Tollgate.Core.Json;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Catalog;

public sealed class CatalogStore(TollgateDatabase database, TimeProvider time)
{
    private const long CatalogLockKey = 0x7011_6A7E_0002;

    public Task<CatalogSnapshot> LoadAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => LoadAsync(c, null, cancellationToken), cancellationToken);

    /// <summary>The revision only: a cheap check of whether a cached snapshot is still current.</summary>
    public Task<long> RevisionAsync(CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => c.ExecuteScalarAsync<long>(
            new CommandDefinition("SELECT revision FROM catalog_settings WHERE id = 1", cancellationToken: cancellationToken)), cancellationToken);

    public Task<PlanVersion?> GetPlanVersionAsync(string id, CancellationToken cancellationToken = default) =>
        database.ReadAsync(async c => (await LoadVersionsAsync(c, "v.id = @id", new { id }, cancellationToken)).SingleOrDefault(), cancellationToken);

    public Task<IReadOnlyList<PlanVersion>> ListPlanVersionsAsync(string planCode, CancellationToken cancellationToken = default) =>
        database.ReadAsync(c => LoadVersionsAsync(c, "v.plan_code = @planCode", new { planCode }, cancellationToken), cancellationToken);

    /// <summary>Applies a whole document in one transaction; the same document twice changes nothing.</summary>
    public Task<CatalogApplyResult> ApplyAsync(CatalogDefinition catalog, CancellationToken cancellationToken = default) =>
        ApplyAsync(catalog, CatalogApplyOptions.Default, cancellationToken);

    /// <summary>
    /// Applies a whole document in one transaction, answering what it changed; with <see cref="CatalogApplyOptions.DryRun"/>
    /// the same steps run and are rolled back, so the answer is exactly what the apply would do.
    /// </summary>
    public async Task<CatalogApplyResult> ApplyAsync(CatalogDefinition catalog, CatalogApplyOptions options, CancellationToken cancellationToken = default)
    {
        Task<CatalogApplyResult> Work(DbConnection c, DbTransaction tx) => ApplyInAsync(c, tx, catalog, options, cancellationToken);
        return options.DryRun
            ? await database.RehearseAsync(Work, cancellationToken) with { DryRun = true }
            : await database.WriteAsync(Work, cancellationToken);
    }

    private async Task<CatalogApplyResult> ApplyInAsync(
        DbConnection c, DbTransaction tx, CatalogDefinition catalog, CatalogApplyOptions options, CancellationToken cancellationToken)
    {
        // One apply at a time across nodes, so version numbers and the revision never race.
        await database.LockAsync(c, tx, CatalogLockKey, cancellationToken);
        var current = await LoadAsync(c, tx, cancellationToken);
        var problems = ConflictsWithStored(catalog, current);
        if (problems.Count > 0)
        {
            return new CatalogApplyResult(false, current.Revision, [], problems);
        }

        var diff = CatalogDiff.Between(current.ToDefinition(), catalog);
        var promoted = await PromotedPrices.CurrentAsync(c, tx, cancellationToken);
        var writer = new CatalogWriter(c, tx, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        var changes = new List<string>();
        await ApplyFeaturesAsync(writer, catalog, current, changes);
        await ApplyPlansAsync(writer, catalog, current, changes, PromotedPrices.Markers(promoted, options.Promotion));
        await ApplySettingsAsync(writer, catalog, current, changes);
        var revision = current.Revision;
        if (changes.Count > 0)
        {
            revision = await c.ExecuteScalarAsync<long>(new CommandDefinition(
                "UPDATE catalog_settings SET revision = revision + 1, updated_at = @now WHERE id = 1 RETURNING revision",
                new { now = writer.Now }, tx, cancellationToken: cancellationToken));
        }

        // A promotion replaces promoted prices on purpose; any other document doing so is named.
        return new CatalogApplyResult(changes.Count > 0, revision, changes, [])
        {
            Diff = diff, Reverts = options.Promotion is null ? diff.RevertsOf(promoted) : [],
        };
    }

    private static List<DocumentProblem> ConflictsWithStored(CatalogDefinition catalog, CatalogSnapshot current)
    {
        var problems = new List<DocumentProblem>();
        for (var i = 0; i < catalog.Features.Count; i++)
        {
            var feature = catalog.Features[i];
            if (current.Feature(feature.Code) is { } stored && stored.Kind != feature.Kind)
            {
                problems.Add(new DocumentProblem($"features[{i}].kind",
                    $"cannot change from {stored.Kind.ToWire()} to {feature.Kind.ToWire()}: existing plan versions use it; add a new feature instead"));
            }
        }

        return problems;
    }

    private static async Task ApplyFeaturesAsync(CatalogWriter writer, CatalogDefinition catalog, CatalogSnapshot current, List<string> changes)
    {
        // Order is the document's only when it lists every stored feature; a partial document moves nothing, so
        // applying it again changes nothing (new features go after the stored ones).
        var complete = current.Features.All(s => catalog.Features.Any(f => f.Code == s.Code));
        var next = current.Features.Count;
        for (var position = 0; position < catalog.Features.Count; position++)
        {
            var feature = catalog.Features[position];
            var storedIndex = current.Features.ToList().FindIndex(f => f.Code == feature.Code);
            if (storedIndex < 0)
            {
                await writer.InsertFeatureAsync(feature, complete ? position : next++);
                changes.Add($"feature {feature.Code}: created");
            }
            else if (current.Features[storedIndex] != feature || (complete && storedIndex != position))
            {
                await writer.UpdateFeatureAsync(feature, complete ? position : storedIndex);
                changes.Add($"feature {feature.Code}: {(current.Features[storedIndex] != feature ? "updated" : "moved")}");
            }
        }
    }

    private static async Task ApplyPlansAsync(
        CatalogWriter writer, CatalogDefinition catalog, CatalogSnapshot current, List<string> changes,
        Func<PlanDefinition, Plan?, IReadOnlyDictionary<BillingInterval, string>> promotedBy)
    {
        foreach (var plan in catalog.Plans)
        {
            var hash = CatalogDocumentWriter.TermsHash(plan.Terms);
            var stored = current.Plan(plan.Code);
            if (stored is null)
            {
                await writer.InsertPlanAsync(plan);
                await writer.InsertVersionAsync(plan, 1, hash, promotedBy(plan, null));
                changes.Add($"plan {plan.Code}: created with version 1");
                continue;
            }

            var marketing = MarketingChanges(stored, plan);
            if (marketing.Count > 0)
            {
                await writer.UpdatePlanAsync(plan);
                changes.Add($"plan {plan.Code}: {string.Join(", ", marketing)} updated");
            }

            if (stored.Current.TermsHash != hash && CatalogDiff.OnlyLinksStripePrices(stored.Current.Terms, plan.Terms))
            {
                // A Stripe price id is how Stripe names the same terms: a new version would strand the current subscribers on an unlinked one.
                await writer.LinkStripePricesAsync(stored.Current.Id, plan.Terms.Prices, hash);
                changes.Add($"plan {plan.Code}: stripe_price_id set on version {stored.Current.Version}");
            }
            else if (stored.Current.TermsHash != hash)
            {
                var version = stored.Current.Version + 1;
                await writer.InsertVersionAsync(plan, version, hash, promotedBy(plan, stored));
                changes.Add($"plan {plan.Code}: version {version} created (prices or quotas changed; version {stored.Current.Version} kept for its subscribers)");
            }
        }
    }

    private static List<string> MarketingChanges(Plan stored, PlanDefinition plan)
    {
        var fields = new List<string>();
        if (stored.Name != plan.Name)
        {
            fields.Add("name");
        }

        if (stored.Description != plan.Description)
        {
            fields.Add("description");
        }

        if (stored.IsActive != plan.IsActive)
        {
            fields.Add("is_active");
        }

        if (stored.SortOrder != plan.SortOrder)
        {
            fields.Add("sort_order");
        }

        if (stored.IsPopular != plan.IsPopular)
        {
            fields.Add("is_popular");
        }

        if (stored.IsPrivate != plan.IsPrivate)
        {
            fields.Add("visibility");
        }

        return fields;
    }

    private static async Task ApplySettingsAsync(CatalogWriter writer, CatalogDefinition catalog, CatalogSnapshot current, List<string> changes)
    {
        var faqChanged = !catalog.Faq.SequenceEqual(current.Faq);
        if (catalog.DefaultPlan != current.DefaultPlan || catalog.UpgradeUrl != current.UpgradeUrl || faqChanged
            || catalog.RateLimitFeature != current.RateLimitFeature)
        {
            await writer.UpdateSettingsAsync(catalog.DefaultPlan, catalog.UpgradeUrl, JsonSerializer.Serialize(catalog.Faq.Select(f =>
                new Dictionary<string, string> { ["question"] = f.Question, ["answer"] = f.Answer })), catalog.RateLimitFeature);
            changes.Add("settings: default_plan, upgrade_url, rate_limit_feature or faq updated");
        }

        if (catalog.OnSuspension != current.OnSuspension)
        {
            await writer.UpdateOnSuspensionAsync(catalog.OnSuspension.ToWire());
            changes.Add($"settings: on_suspension set to {catalog.OnSuspension.ToWire()}");
        }

        if (!(catalog.NotifyEmail ?? []).SequenceEqual(current.NotifyEmail ?? []) || (catalog.NotifyEmail is null) != (current.NotifyEmail is null))
        {
            await writer.UpdateNotifyAsync(catalog.NotifyEmail);
            changes.Add("settings: notify updated");
        }

        if (!CatalogPacks.SameAs(catalog.Packs, current.Packs))
        {
            await writer.UpdatePacksAsync(CatalogPacks.ToJson(catalog.Packs));
            changes.Add("packs updated");
        }

        if (!CatalogMetrics.SameAs(catalog.Metrics, current.Metrics))
        {
            await writer.UpdateMetricsAsync(CatalogMetrics.ToJson(catalog.Metrics));
            changes.Add("metrics updated");
        }
    }

    private static async Task<CatalogSnapshot> LoadAsync(DbConnection c, DbTransaction? tx, CancellationToken ct)
    {
        var settings = await c.QuerySingleAsync<SettingsRow>(new CommandDefinition(
            "SELECT default_plan, upgrade_url, faq_json, revision, rate_limit_feature, notify_email, packs_json, metrics_json, on_suspension FROM catalog_settings WHERE id = 1", transaction: tx, cancellationToken: ct));
        var features = (await c.QueryAsync<FeatureRow>(new CommandDefinition(
            "SELECT code, name, description, unit, kind, uses_llm FROM features ORDER BY position, code", transaction: tx, cancellationToken: ct)))
            .Select(f => f.ToDomain()).ToList();
        var plans = await c.QueryAsync<PlanRow>(new CommandDefinition(
            "SELECT code, name, description, is_active, sort_order, is_popular, current_version_id, visibility FROM plans", transaction: tx, cancellationToken: ct));
        var versions = (await LoadVersionsAsync(c, "v.id IN (SELECT current_version_id FROM plans)", null, ct, tx)).ToDictionary(v => v.Id);
        var faq = JsonSerializer.Deserialize<List<Dictionary<string, string>>>(settings.FaqJson)!
            .Select(f => new FaqEntry(f["question"], f["answer"])).ToList();
        return new CatalogSnapshot(
            settings.Revision,
            settings.DefaultPlan,
            settings.UpgradeUrl,
            faq,
            features,
            [.. plans.Where(p => p.CurrentVersionId is not null)
                .Select(p => new Plan(p.Code, p.Name, p.Description, p.IsActive, p.SortOrder, p.IsPopular, versions[p.CurrentVersionId!],
                    p.Visibility == "private"))
                .OrderBy(p => p.SortOrder).ThenBy(p => p.Code, StringComparer.Ordinal)],
            settings.RateLimitFeature)
        {
            NotifyEmail = settings.NotifyEmail?.Split(',', StringSplitOptions.RemoveEmptyEntries),
            Packs = CatalogPacks.FromJson(settings.PacksJson),
            Metrics = CatalogMetrics.FromJson(settings.MetricsJson),
            OnSuspension = SuspensionPolicyNames.TryParse(settings.OnSuspension, out var suspension) ? suspension : SuspensionPolicy.DefaultPlan,
        };
    }

    private static async Task<IReadOnlyList<PlanVersion>> LoadVersionsAsync(
        DbConnection c, string where, object? args, CancellationToken ct, DbTransaction? tx = null)
    {
        var versions = await c.QueryAsync<PlanVersionRow>(new CommandDefinition(
            $"SELECT v.id, v.plan_code, v.version, v.terms_hash, v.llm_budget_nano_usd, v.llm_budget_reset, v.created_at FROM plan_versions v WHERE {where} ORDER BY v.version",
            args, tx, cancellationToken: ct));
        var prices = (await c.QueryAsync<PlanPriceRow>(new CommandDefinition(
            $"SELECT p.* FROM plan_prices p WHERE p.plan_version_id IN (SELECT v.id FROM plan_versions v WHERE {where})",
            args, tx, cancellationToken: ct))).ToLookup(p => p.PlanVersionId);
        var features = (await c.QueryAsync<PlanFeatureRow>(new CommandDefinition(
            $"SELECT f.* FROM plan_features f WHERE f.plan_version_id IN (SELECT v.id FROM plan_versions v WHERE {where}) ORDER BY f.position",
            args, tx, cancellationToken: ct))).ToLookup(f => f.PlanVersionId);
        return [.. versions.Select(v => CatalogRows.ToVersion(v, prices[v.Id], features[v.Id]))];
    }

    internal static string VersionId(string planCode, int version) => string.Create(CultureInfo.InvariantCulture, $"{planCode}_v{version}");
}
