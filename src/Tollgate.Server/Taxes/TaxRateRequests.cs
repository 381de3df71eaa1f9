using Tollgate.Contracts;
using Tollgate.Core.Customers;
using Tollgate.Core.Taxes;
using Tollgate.Server.Http;

namespace Tollgate.Server.Taxes;

/// <summary>A new tax rate's request checked once, for the API and the console alike.</summary>
public static class TaxRateRequests
{
    /// <summary>The rate the request makes, or the problem with each bad field (and no rate).</summary>
    public static (TaxRate? Rate, Dictionary<string, string> Errors) Parse(CreateTaxRateRequest request, DateTimeOffset now)
    {
        var millionths = request.Percentage is { } p ? TaxRate.MillionthsOf(p) : null;
        var errors = Validate.Errors(
            ("id", Validate.Id(request.Id)),
            ("name", request.Name is { Length: >= 1 and <= 100 } name && !string.IsNullOrWhiteSpace(name) ? null : "must be 1-100 characters"),
            ("percentage", request.Percentage is null ? "is required: the rate in percent, such as 19 or 6.25"
                : millionths is null ? "must be above 0 and below 100, with at most four decimals" : null),
            ("inclusive", request.Inclusive is null ? "is required: true when prices already hold the tax, false when it is added on top" : null),
            ("country", request.Country is null || CountryCodes.IsAssigned(request.Country) ? null
                : $"'{request.Country}' is not an ISO 3166-1 alpha-2 code (two upper-case letters, such as \"DE\" or \"US\")"),
            ("state", request.State is null ? null
                : request.Country is null ? "only goes with country"
                : CountryCodes.IsAssigned(request.Country) ? SubdivisionCodes.Problem(request.Country, request.State) : null));
        return errors.Count > 0 ? (null, errors)
            : (new TaxRate(request.Id!, request.Name!.Trim(), millionths!.Value, request.Inclusive!.Value, request.Country, request.State?.Trim(), true, now),
                errors);
    }
}
