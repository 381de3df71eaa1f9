namespace Tollgate.Core.Catalog;

/// <summary>
/// The price of a plan for one billing period, in integer minor units. A per-seat price is the price of one seat: a
/// subscription buys at least <see cref="IncludedSeats"/> seats and at most <see cref="MaxSeats"/>.
/// </summary>
public sealed record PlanPrice(
    BillingInterval BillingPeriod,
    long PriceCents,
    string Currency,
    int TrialDays,
    string? StripePriceId,
    bool PerSeat = false,
    int IncludedSeats = 1,
    int? MaxSeats = null);

/// <summary>
/// What a plan grants for one feature. A metered quota of null is unlimited and 0 means not included; it is a limit
/// per <see cref="Reset"/> window (<c>monthly_quota</c> in a document is a limit per month). A boolean feature is
/// granted by <see cref="Enabled"/>; a value feature carries <see cref="ValueJson"/>. Any feature may carry a
/// <see cref="RateLimit"/>, and a metered one a <see cref="Meter"/> that logged LLM calls feed, a share each member of
/// an organisation may use (<see cref="PerMemberLimit"/>), a limit multiplied by the seats (<see cref="PerSeat"/>) and,
/// under a soft cap, <see cref="OverageTiers"/> instead of one overage unit price. A metered feature naming a
/// <see cref="Metric"/> counts that metric over the window's events instead of consumed amounts.
/// </summary>
public sealed record PlanFeature(
    string FeatureCode,
    FeatureKind Kind,
    long? MonthlyQuota,
    bool HardCap,
    bool Rollover,
    long? OverageUnitPriceCents,
    bool Enabled,
    string? ValueJson,
    IReadOnlyList<int> AlertThresholds,
    QuotaReset Reset = QuotaReset.Month,
    RateLimit? RateLimit = null,
    LlmMeter? Meter = null,
    long? PerMemberLimit = null,
    bool PerSeat = false,
    OverageTiers? OverageTiers = null,
    string? Metric = null,
    OveragePackage? OveragePackage = null,
    IReadOnlyList<OverageCurrencyOption>? CurrencyOptions = null)
{
    public static readonly IReadOnlyList<int> DefaultThresholds = [80, 90, 100];

    /// <summary>Whether the feature bills overage: metered, soft-capped, with a price.</summary>
    public bool BillsOverage => this is { Kind: FeatureKind.Metered, HardCap: false }
        && (OverageUnitPriceCents is > 0 || OverageTiers is not null || OveragePackage is not null);

    /// <summary>The feature's overage option in <paramref name="currency"/>, or null when it has none.</summary>
    public OverageCurrencyOption? Option(string currency) =>
        CurrencyOptions?.FirstOrDefault(o => string.Equals(o.Currency, currency, StringComparison.Ordinal));

    /// <summary>
    /// The grant for a subscription holding <paramref name="seats"/> seats (null, not sold per seat, counts as 1): a
    /// per-seat limit times the seats. The entitlement and the overage invoice both take the limit from here, so they agree.
    /// </summary>
    public PlanFeature ForSeats(int? seats) =>
        this is { PerSeat: true, MonthlyQuota: > 0 and var quota } ? this with { MonthlyQuota = checked(quota * (seats ?? 1)) } : this;

    public bool IsUnlimited => MonthlyQuota is null;

    /// <summary>
    /// Whether the plan grants the feature. A limit of 0 is "not included", unless the cap is soft and the units are priced:
    /// then nothing is free and every unit is billed as overage, from the first (pay as you go, Stripe's metered price).
    /// </summary>
    public bool IsIncluded => MonthlyQuota is not 0 || BillsOverage;

    /// <summary>A limit of 0 under a soft cap with a price: every unit used is billed.</summary>
    public bool IsPayAsYouGo => MonthlyQuota is 0 && BillsOverage;
}

/// <summary>
/// The versioned part of a plan: changing any of it creates a new plan version. The LLM budget counts in its own window,
/// <see cref="LlmBudgetReset"/> (the billing period unless the plan says otherwise), anchored as a quota's window is.
/// </summary>
public sealed record PlanTerms(
    IReadOnlyList<PlanPrice> Prices,
    IReadOnlyList<PlanFeature> Features,
    long? LlmBudgetNanoUsd,
    QuotaReset LlmBudgetReset = QuotaReset.BillingPeriod)
{
    /// <summary>
    /// The currency the overage prices are in: the one <see cref="OverageIn"/> chose, else the plan's default. An invoice's
    /// words scale the prices by it (11 yen reads "11", not "0.11").
    /// </summary>
    public string OverageCurrency { get => field ?? DefaultCurrency ?? "USD"; init; }

    /// <summary>The most prices a plan lists: two periods in up to 25 currencies.</summary>
    public const int MaxPrices = 50;

    /// <summary>The period's price in the plan's default currency (its first price's).</summary>
    public PlanPrice? Price(BillingInterval interval) => Prices.FirstOrDefault(p => p.BillingPeriod == interval);

    /// <summary>
    /// The period's price in <paramref name="currency"/>; the default currency's when it is null or empty. A free plan (see
    /// <see cref="IsFree"/>) costs 0 in every currency, so it answers a 0 price in one it does not list, linked to no Stripe price.
    /// </summary>
    public PlanPrice? Price(BillingInterval interval, string? currency) => string.IsNullOrEmpty(currency)
        ? Price(interval)
        : Prices.FirstOrDefault(p => p.BillingPeriod == interval && string.Equals(p.Currency, currency, StringComparison.Ordinal))
            ?? (IsFree && Price(interval) is { } free ? free with { Currency = currency, StripePriceId = null } : null);

    /// <summary>
    /// The period a subscription or checkout gets when it names none: monthly, unless the plan is sold only by the year
    /// (a yearly-only plan would otherwise refuse a request that never asked for monthly).
    /// </summary>
    public BillingInterval DefaultInterval => Price(BillingInterval.Monthly) is null && Price(BillingInterval.Yearly) is not null
        ? BillingInterval.Yearly : BillingInterval.Monthly;

    /// <summary>Whether every price of the plan is 0 (and it has one): such a plan is free in every currency, not only those it lists.</summary>
    public bool IsFree => Prices.Count > 0 && Prices.All(p => p.PriceCents == 0);

    /// <summary>The currency a subscription gets when it names none: the first price's.</summary>
    public string? DefaultCurrency => Prices.Count == 0 ? null : Prices[0].Currency;

    /// <summary>Every currency the plan is priced in, the default first.</summary>
    public IReadOnlyList<string> Currencies => [.. Prices.Select(p => p.Currency).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The terms with the prices in <paramref name="currency"/> only, as a page or a customer in that currency sees them; a free
    /// plan that does not list the currency shows its periods at 0 in it.
    /// </summary>
    public PlanTerms InCurrency(string currency) => this with
    {
        Prices = Offers(currency) && !Currencies.Contains(currency, StringComparer.Ordinal)
            ? [.. Prices.Where(p => p.Currency == DefaultCurrency).Select(p => p with { Currency = currency, StripePriceId = null })]
            : [.. Prices.Where(p => p.Currency == currency)],
    };

    /// <summary>Whether a subscription may be sold in <paramref name="currency"/>: the plan lists it, or the plan is free.</summary>
    public bool Offers(string currency) => IsFree || Prices.Any(p => string.Equals(p.Currency, currency, StringComparison.Ordinal));

    /// <summary>
    /// Prices in their canonical order: by billing period, then by currency in the order the currencies first appear, so the
    /// first price stays in the default currency and a one-currency plan keeps its order (and its terms hash).
    /// </summary>
    public static IReadOnlyList<PlanPrice> Canonical(IReadOnlyList<PlanPrice> prices)
    {
        var rank = prices.Select(p => p.Currency).Distinct(StringComparer.Ordinal).Select((c, i) => (c, i))
            .ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        return [.. prices.OrderBy(p => p.BillingPeriod).ThenBy(p => rank[p.Currency])];
    }

    /// <summary>
    /// The terms with each overage-billing feature priced in <paramref name="currency"/>: its option's prices, or its own
    /// when the currency is the plan's default (or null). A feature without an option keeps its own prices; a subscription in
    /// such a currency is refused first (<see cref="FeaturesWithoutOverageIn"/>).
    /// </summary>
    public PlanTerms OverageIn(string? currency)
    {
        if (string.IsNullOrEmpty(currency))
        {
            return this;
        }

        if (currency == DefaultCurrency || Features.All(f => f.CurrencyOptions is not { Count: > 0 }))
        {
            return this with { OverageCurrency = currency };
        }

        return this with
        {
            OverageCurrency = currency,
            Features = [.. Features.Select(f => f.BillsOverage && f.Option(currency) is { } o
                ? f with
                {
                    OverageUnitPriceCents = o.UnitPriceCents,
                    OveragePackage = o.Package,
                    // The option's tiers in the feature's own mode, as Stripe's currency_options[eur][tiers] keep the price's tiers_mode.
                    OverageTiers = o.Tiers is { } tiers && f.OverageTiers is { } own ? new OverageTiers(own.Mode, tiers) : null,
                }
                : f)],
        };
    }

    /// <summary>The features that bill overage but have no price in <paramref name="currency"/>, a currency other than the default.</summary>
    public IReadOnlyList<string> FeaturesWithoutOverageIn(string? currency) =>
        string.IsNullOrEmpty(currency) || currency == DefaultCurrency
            ? []
            : [.. Features.Where(f => f.BillsOverage && f.Option(currency) is null).Select(f => f.FeatureCode)];

    /// <summary>
    /// Why a subscription in <paramref name="currency"/> cannot be billed its overage (a feature with no price in it), or
    /// null when it can: refused when subscribing rather than found out when invoicing.
    /// </summary>
    public string? OverageProblem(string planCode, string currency) => FeaturesWithoutOverageIn(currency) is { Count: > 0 } missing
        ? $"plan '{planCode}' has no overage price in {currency} for {string.Join(", ", missing.Select(f => $"feature '{f}'"))}; "
            + $"give it currency_options.{currency} in the catalog, or subscribe in {DefaultCurrency}"
        : null;

    /// <summary>The terms with every per-seat limit multiplied by <paramref name="seats"/> (<see cref="PlanFeature.ForSeats"/>).</summary>
    public PlanTerms ForSeats(int? seats) =>
        Features.Any(f => f.PerSeat) ? this with { Features = [.. Features.Select(f => f.ForSeats(seats))] } : this;

    public PlanFeature? Feature(string code) => Features.FirstOrDefault(f => string.Equals(f.FeatureCode, code, StringComparison.Ordinal));
}
