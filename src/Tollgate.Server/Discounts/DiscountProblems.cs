using Microsoft.AspNetCore.Http.HttpResults;
using Tollgate.Server.Http;

namespace Tollgate.Server.Discounts;

public static class DiscountProblems
{
    /// <summary>400 promotion_code_invalid: the code or coupon in <paramref name="field"/> cannot apply, for <paramref name="reason"/>.</summary>
    public static ProblemHttpResult Invalid(string reason, string detail, string field) =>
        Problems.Create(400, "promotion_code_invalid", detail, new Dictionary<string, object?> { ["reason"] = reason, ["field"] = field });
}
