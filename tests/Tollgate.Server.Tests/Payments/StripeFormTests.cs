using Tollgate.Server.Payments;

namespace Tollgate.Server.Tests.Payments;

/// <summary>Stripe's form encoding, as its API reference and its own SDKs write it.</summary>
public sealed class StripeFormTests
{
    [Fact]
    public void NestedValuesBecomeBracketedKeysInOrder()
    {
        var pairs = StripeForm.Flatten(new Dictionary<string, object?>
        {
            ["mode"] = "subscription",
            ["line_items"] = new[] { new Dictionary<string, object?> { ["price"] = "price_123", ["quantity"] = 1 } },
            ["subscription_data"] = new Dictionary<string, object?>
            {
                ["metadata"] = new Dictionary<string, string> { ["tollgate_customer"] = "ada" }, ["trial_period_days"] = 14,
            },
        });

        Assert.Equal(
        [
            new("mode", "subscription"), new("line_items[0][price]", "price_123"), new("line_items[0][quantity]", "1"),
            new("subscription_data[metadata][tollgate_customer]", "ada"), new("subscription_data[trial_period_days]", "14"),
        ], pairs);
    }

    [Fact]
    public void NullsAreLeftOutAndAnEmptyListIsAnEmptyValue() =>
        Assert.Equal("email=&expand=", StripeForm.Encode(new Dictionary<string, object?>
        {
            ["name"] = null, ["email"] = "", ["expand"] = Array.Empty<string>(), ["metadata"] = new Dictionary<string, object?> { ["k"] = null },
        }));

    [Fact]
    public void BooleansAreLowerCaseAndInstantsAreUnixSeconds() =>
        Assert.Equal("cancel_at_period_end=true&trial_end=1700000000", StripeForm.Encode(new Dictionary<string, object?>
        {
            ["cancel_at_period_end"] = true, ["trial_end"] = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        }));

    [Fact]
    public void ValuesAreEscapedAndBracketsInKeysStayLiteral() =>
        Assert.Equal(
            "success_url=https%3A%2F%2Fapp.example.com%2Fdone%3Fsession%3D%7BCHECKOUT_SESSION_ID%7D%26a%3D1&metadata[full name]".Replace(" ", "%20",
                StringComparison.Ordinal) + "=Ada%20Lovelace",
            StripeForm.Encode(new Dictionary<string, object?>
            {
                ["success_url"] = "https://app.example.com/done?session={CHECKOUT_SESSION_ID}&a=1",
                ["metadata"] = new Dictionary<string, string> { ["full name"] = "Ada Lovelace" },
            }));
}
