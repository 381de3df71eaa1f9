using System.Data.Common;
using Dapper;
using Tollgate.Core.Catalog;

namespace Tollgate.Server.Catalog;

/// <summary>The INSERT and UPDATE statements of a catalog apply, bound to one transaction.</summary>
internal sealed class CatalogWriter(DbConnection connection, DbTransaction transaction, long now, CancellationToken cancellationToken)
{
    public long Now => now;

    public Task InsertFeatureAsync(Feature f, int position) => Execute("""
        INSERT INTO features (code, name, description, unit, kind, uses_llm, position, created_at, updated_at)
        VALUES (@Code, @Name, @Description, @Unit, @Kind, @UsesLlm, @position, @now, @now)
        """, new { f.Code, f.Name, f.Description, f.Unit, Kind = f.Kind.ToWire(), f.UsesLlm, position, now });

    public Task UpdateFeatureAsync(Feature f, int position) => Execute("""
        UPDATE features SET name = @Name, description = @Description, unit = @Unit, uses_llm = @UsesLlm, position = @position,
            updated_at = @now
        WHERE code = @Code
        """, new { f.Code, f.Name, f.Description, f.Unit, f.UsesLlm, position, now });

    public Task InsertPlanAsync(PlanDefinition p) => Execute("""
        INSERT INTO plans (code, name, description, is_active, sort_order, is_popular, current_version_id, created_at, updated_at, visibility)
        VALUES (@Code, @Name, @Description, @IsActive, @SortOrder, @IsPopular, NULL, @now, @now, @visibility)
        """, new { p.Code, p.Name, p.Description, p.IsActive, p.SortOrder, p.IsPopular, now, visibility = Visibility(p) });

    public Task UpdatePlanAsync(PlanDefinition p) => Execute("""
        UPDATE plans SET name = @Name, description = @Description, is_active = @IsActive, sort_order = @SortOrder,
            is_popular = @IsPopular, updated_at = @now, visibility = @visibility
        WHERE code = @Code
        """, new { p.Code, p.Name, p.Description, p.IsActive, p.SortOrder, p.IsPopular, now, visibility = Visibility(p) });

    private static string Visibility(PlanDefinition p) => p.IsPrivate ? "private" : "public";

    /// <summary>
    /// Inserts the plan's next version and makes it current. <paramref name="promotedBy"/> names, per billing period, the
    /// experiment variant that set the price ("exp_…/variant"), when one did.
    /// </summary>
    public async Task InsertVersionAsync(
        PlanDefinition plan, int version, string termsHash, IReadOnlyDictionary<BillingInterval, string>? promotedBy = null)
    {
        var id = CatalogStore.VersionId(plan.Code, version);
        await Execute("""
            INSERT INTO plan_versions (id, plan_code, version, terms_hash, llm_budget_nano_usd, llm_budget_reset, created_at)
            VALUES (@id, @Code, @version, @termsHash, @LlmBudgetNanoUsd, @budgetReset, @now)
            """, new { id, plan.Code, version, termsHash, plan.Terms.LlmBudgetNanoUsd, budgetReset = plan.Terms.LlmBudgetReset.ToWire(), now });
        var currencies = plan.Terms.Currencies;
        foreach (var price in plan.Terms.Prices)
        {
            // An experiment's variant prices the plan's default currency only, so only that price carries its name.
            var promoted = price.Currency == plan.Terms.DefaultCurrency ? promotedBy?.GetValueOrDefault(price.BillingPeriod) : null;
            await Execute("""
                INSERT INTO plan_prices (plan_version_id, billing_period, price_cents, currency, trial_days, stripe_price_id, per_seat,
                    included_seats, max_seats, promoted_by, currency_position)
                VALUES (@id, @period, @PriceCents, @Currency, @TrialDays, @StripePriceId, @PerSeat, @IncludedSeats, @MaxSeats, @promoted,
                    @position)
                """, new
            {
                id, period = price.BillingPeriod.ToWire(), price.PriceCents, price.Currency, price.TrialDays, price.StripePriceId, price.PerSeat,
                price.IncludedSeats, price.MaxSeats, promoted, position = (long)currencies.ToList().IndexOf(price.Currency),
            });
        }

        for (var position = 0; position < plan.Terms.Features.Count; position++)
        {
            var f = plan.Terms.Features[position];
            await Execute("""
                INSERT INTO plan_features (plan_version_id, feature_code, kind, monthly_quota, hard_cap, rollover,
                    overage_unit_price_cents, enabled, value_json, alert_thresholds, position, quota_reset, rate_limit, rate_limit_per, meter_json,
                    per_member_limit, per_seat, overage_tiers_json, metric_code, overage_package_size, overage_package_cents,
                    currency_options_json)
                VALUES (@id, @FeatureCode, @kind, @MonthlyQuota, @HardCap, @Rollover, @OverageUnitPriceCents, @Enabled, @ValueJson,
                    @thresholds, @position, @reset, @rateLimit, @ratePer, @meter, @PerMemberLimit, @PerSeat, @tiers, @Metric, @packageSize, @packageCents,
                    @options)
                """, new
            {
                id, f.FeatureCode, kind = f.Kind.ToWire(), f.MonthlyQuota, f.HardCap, f.Rollover, f.OverageUnitPriceCents, f.Enabled,
                f.ValueJson, thresholds = string.Join(',', f.AlertThresholds), position, reset = f.Reset.ToWire(),
                rateLimit = f.RateLimit?.Limit, ratePer = f.RateLimit?.Per.ToWire(), meter = f.Meter is null ? null : MeterColumn.Write(f.Meter),
                f.PerMemberLimit, f.PerSeat, f.Metric, packageSize = f.OveragePackage?.Size, packageCents = f.OveragePackage?.PriceCents,
                tiers = f.OverageTiers is null ? null : TiersColumn.Write(f.OverageTiers), options = CurrencyOptionsColumn.Write(f.CurrencyOptions),
            });
        }

        await Execute("UPDATE plans SET current_version_id = @id, updated_at = @now WHERE code = @Code", new { id, plan.Code, now });
    }

    /// <summary>Sets the Stripe price ids on a version in place, with the hash of the terms that now include them.</summary>
    public async Task LinkStripePricesAsync(string versionId, IEnumerable<PlanPrice> prices, string termsHash)
    {
        foreach (var price in prices.Where(p => p.StripePriceId is not null))
        {
            await Execute("UPDATE plan_prices SET stripe_price_id = @StripePriceId WHERE plan_version_id = @versionId AND billing_period = @period "
                + "AND currency = @Currency", new { versionId, period = price.BillingPeriod.ToWire(), price.StripePriceId, price.Currency });
        }

        await Execute("UPDATE plan_versions SET terms_hash = @termsHash WHERE id = @versionId", new { versionId, termsHash });
    }

    public Task UpdateSettingsAsync(string? defaultPlan, string? upgradeUrl, string faqJson, string? rateLimitFeature) => Execute("""
        UPDATE catalog_settings SET default_plan = @defaultPlan, upgrade_url = @upgradeUrl, faq_json = @faqJson,
            rate_limit_feature = @rateLimitFeature, updated_at = @now
        WHERE id = 1
        """, new { defaultPlan, upgradeUrl, faqJson, rateLimitFeature, now });

    public Task UpdateOnSuspensionAsync(string policy) => Execute(
        "UPDATE catalog_settings SET on_suspension = @policy, updated_at = @now WHERE id = 1", new { policy, now });

    public Task UpdateMetricsAsync(string metricsJson) => Execute(
        "UPDATE catalog_settings SET metrics_json = @metricsJson, updated_at = @now WHERE id = 1", new { metricsJson, now });

    public Task UpdatePacksAsync(string packsJson) => Execute(
        "UPDATE catalog_settings SET packs_json = @packsJson, updated_at = @now WHERE id = 1", new { packsJson, now });

    /// <summary>Stores notify.email as ',kind,kind,' (matched with LIKE where e-mail is queued), or NULL for every kind.</summary>
    public Task UpdateNotifyAsync(IReadOnlyList<string>? notifyEmail) => Execute(
        "UPDATE catalog_settings SET notify_email = @notify, updated_at = @now WHERE id = 1",
        new { notify = notifyEmail is null ? null : "," + string.Join(',', notifyEmail) + ",", now });

    private Task Execute(string sql, object args) =>
        connection.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: cancellationToken));
}
