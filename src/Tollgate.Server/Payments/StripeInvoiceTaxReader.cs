namespace Tollgate.Server.Payments;

/// <summary>
/// Reads the tax off a Stripe invoice object: basil's <c>total_taxes</c> and each line's <c>taxes</c>, or, in an older
/// rendering, <c>total_tax_amounts</c> and <c>tax_amounts</c>. A rate comes as an id, or expanded as the rate itself.
/// </summary>
public static class StripeInvoiceTaxReader
{
    /// <summary>The id given to a tax Stripe states without a tax rate (a type other than tax_rate_details).</summary>
    public const string UnnamedRate = "stripe_tax";

    /// <summary>The invoice's tax; null when the object carries no tax totals at all (so nothing is said about tax).</summary>
    public static StripeInvoiceTax? Read(StripeJson invoice)
    {
        var basil = invoice.OptionalArray("total_taxes");
        var totals = basil ?? invoice.OptionalArray("total_tax_amounts");
        if (totals is null)
        {
            return null;
        }

        Func<StripeJson, StripeTaxAmount> amount = basil is null ? Older : Basil;
        var amounts = totals.Select(amount).ToList();
        var reverse = invoice.OptionalString("customer_tax_exempt") == "reverse"
            || totals.Any(t => t.OptionalString("taxability_reason") == "reverse_charge");
        var lines = invoice.List("lines").Select(line => new StripeInvoiceLine(
            StripeEventReader.IsSubscriptionLine(line) && !Proration(line),
            line.OptionalObject("metadata")?.OptionalString("tollgate_kind"),
            line.Long("amount"),
            line.OptionalObject("period")?.OptionalInstant("start"),
            line.OptionalObject("period")?.OptionalInstant("end"),
            [.. line.OptionalArray(basil is null ? "tax_amounts" : "taxes")?.Select(amount) ?? []])).ToList();
        return new StripeInvoiceTax(amounts, lines, reverse);
    }

    // {amount, tax_behavior, tax_rate_details: {tax_rate}, taxable_amount, type}
    private static StripeTaxAmount Basil(StripeJson tax)
    {
        var details = tax.OptionalObject("tax_rate_details");
        return new StripeTaxAmount(details?.OptionalId("tax_rate") ?? UnnamedRate, tax.Long("amount"), tax.OptionalString("tax_behavior") == "inclusive",
            tax.OptionalLong("taxable_amount"), details is { } d ? Expanded(d, "tax_rate") : null);
    }

    // {amount, inclusive, tax_rate, taxable_amount}
    private static StripeTaxAmount Older(StripeJson tax) =>
        new(tax.OptionalId("tax_rate") ?? UnnamedRate, tax.Long("amount"), tax.Bool("inclusive"), tax.OptionalLong("taxable_amount"), Expanded(tax, "tax_rate"));

    /// <summary>The rate when the object carries it expanded (a webhook never does; a fetched invoice may).</summary>
    private static StripeTaxRate? Expanded(StripeJson parent, string name) =>
        parent.OptionalObject(name) is { } rate ? Rate(rate) : null;

    /// <summary>A tax rate object: its display name (with its jurisdiction), at the percentage Stripe applied.</summary>
    public static StripeTaxRate Rate(StripeJson rate) => new(
        rate.String("id"),
        rate.OptionalString("jurisdiction") is { Length: > 0 } place ? $"{rate.String("display_name")} ({place})" : rate.String("display_name"),
        rate.OptionalDecimal("effective_percentage") ?? rate.OptionalDecimal("percentage") ?? 0);

    // basil: parent.subscription_item_details.proration; older: the line's own proration.
    private static bool Proration(StripeJson line) =>
        line.OptionalObject("parent")?.OptionalObject("subscription_item_details") is { } details ? details.Bool("proration") : line.Bool("proration");
}
