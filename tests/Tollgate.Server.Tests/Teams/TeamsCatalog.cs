namespace Tollgate.Server.Tests.Teams;

/// <summary>A team plan sold per seat (1000 a seat a month, 2 to 5 seats) whose reports scale with the seats, plus a private deal plan.</summary>
internal static class TeamsCatalog
{
    public const string Json = """
        {
          "default_plan": "free",
          "features": [
            { "code": "reports", "name": "Reports", "unit": "reports", "kind": "metered" },
            { "code": "exports", "name": "Exports", "unit": "exports", "kind": "metered" }
          ],
          "plans": [
            { "code": "free", "name": "Free", "prices": [ { "billing_period": "monthly", "price_cents": 0 } ],
              "features": [ { "feature_code": "reports", "limit": 10, "per_member_limit": 3 }, { "feature_code": "exports", "limit": 5 } ] },
            { "code": "team", "name": "Team",
              "prices": [ { "billing_period": "monthly", "price_cents": 1000, "per_seat": true, "included_seats": 2, "max_seats": 5 } ],
              "features": [ { "feature_code": "reports", "limit": 10, "per_seat": true, "per_member_limit": 4 },
                            { "feature_code": "exports", "limit": 5 } ] },
            { "code": "enterprise", "name": "Enterprise Deal", "visibility": "private",
              "prices": [ { "billing_period": "monthly", "price_cents": 50000 } ],
              "features": [ { "feature_code": "reports", "limit": null }, { "feature_code": "exports", "limit": null } ] }
          ]
        }
        """;
}
