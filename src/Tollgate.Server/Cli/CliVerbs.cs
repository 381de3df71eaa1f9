using System.CommandLine;
using Tollgate.Server.Catalog;
using Tollgate.Server.Composition;
using Tollgate.Server.Keys;
using Tollgate.Storage.Database;

namespace Tollgate.Server.Cli;

/// <summary>The verbs besides serve: migrate, catalog apply|export, keys create|list|revoke.</summary>
public static class CliVerbs
{
    private static readonly string[] Verbs = ["migrate", "catalog", "keys", "llm", "export", "--help", "-h", "-?"];

    // Configuration flags (--Tollgate:Database:Provider=postgres) go to the host as they do for serve, not to the parser.
    private static string[] _configuration = [];

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0], StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Tollgate: pricing, entitlements, usage metering and billing. With no verb, serves HTTP.");
        root.Subcommands.Add(Migrate());
        root.Subcommands.Add(CatalogCommand());
        root.Subcommands.Add(KeysCommand());
        root.Subcommands.Add(LlmCliVerbs.Command(ReadyAsync));
        root.Subcommands.Add(ExportCliVerb.Command(ReadyAsync));
        _configuration = [.. args.Where(IsConfigurationFlag)];
        return await root.Parse([.. args.Where(a => !IsConfigurationFlag(a))]).InvokeAsync();
    }

    private static Command Migrate()
    {
        var command = new Command("migrate", "Apply pending database migrations and exit.");
        command.SetAction(async (_, ct) =>
        {
            await using var services = BuildServices();
            var report = await services.GetRequiredService<Migrator>().MigrateAsync(ct);
            Console.WriteLine($"{services.GetRequiredService<TollgateDatabase>().Describe}: {report.Describe()}");
            return 0;
        });
        return command;
    }

    private static Command CatalogCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "A catalog JSON document." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what applying would change, and write nothing." };
        var apply = new Command("apply", "Apply a catalog document; unchanged terms create no new version.") { file, dryRun };
        apply.SetAction(async (parse, ct) =>
        {
            await using var services = await ReadyAsync(ct);
            var path = new FileInfo(ShellPath.Resolve(parse.GetValue(file)!.ToString()));
            if (!path.Exists)
            {
                await Console.Error.WriteLineAsync($"No such file: {path.FullName}");
                return 2;
            }

            var rehearse = parse.GetValue(dryRun);
            var result = await services.GetRequiredService<CatalogService>().ApplyAsync(await File.ReadAllTextAsync(path.FullName, ct), rehearse, ct);
            if (!result.IsValid)
            {
                foreach (var problem in result.Problems)
                {
                    await Console.Error.WriteLineAsync(problem.ToString());
                }

                await Console.Error.WriteLineAsync($"{result.Problems.Count} problem(s); nothing was applied.");
                return 1;
            }

            Console.WriteLine((result.Changed, rehearse) switch
            {
                (false, _) => "No changes: the catalog already matches.",
                (true, true) => $"Dry run: applying would reach catalog revision {result.Revision}; nothing was written.",
                (true, false) => $"Applied; catalog revision {result.Revision}.",
            });
            foreach (var change in result.Changes)
            {
                Console.WriteLine("  " + change);
            }

            foreach (var warning in CatalogApplyWire.ToWire(result).Warnings)
            {
                await Console.Error.WriteLineAsync("warning: " + warning.Message);
            }

            return 0;
        });
        var export = new Command("export", "Print the catalog as a document that apply accepts.");
        export.SetAction(async (_, ct) =>
        {
            await using var services = await ReadyAsync(ct);
            Console.Write(await services.GetRequiredService<CatalogService>().ExportAsync(ct));
            return 0;
        });
        return new Command("catalog", "Apply or export the plan catalog.") { apply, export };
    }

    private static Command KeysCommand()
    {
        var role = new Option<string>("--role") { Description = "admin, secret or publishable", Required = true };
        role.AcceptOnlyFromAmong("admin", "secret", "publishable");
        var name = new Option<string>("--name") { Description = "A label for the key", Required = true };
        var create = new Command("create", "Create an API key and print it once.") { role, name };
        create.SetAction(async (parse, ct) =>
        {
            await using var services = await ReadyAsync(ct);
            KeysAdminApi.TryParseRole(parse.GetValue(role), out var parsedRole);
            var created = await services.GetRequiredService<ApiKeyStore>().CreateAsync(parse.GetValue(name)!, parsedRole, ct);
            Console.WriteLine(created.PlainText);
            await Console.Error.WriteLineAsync($"Created {ApiKeyFormat.RoleName(parsedRole)} key {created.Record.Id}. It is shown once; store it now.");
            return 0;
        });
        var list = new Command("list", "List API keys (never their secrets).");
        list.SetAction(async (_, ct) =>
        {
            await using var services = await ReadyAsync(ct);
            foreach (var key in await services.GetRequiredService<ApiKeyStore>().ListAsync(ct))
            {
                Console.WriteLine($"{key.Id}\t{ApiKeyFormat.RoleName(key.Role)}\t{key.Name}\t{(key.RevokedAt is null ? "live" : "revoked")}");
            }

            return 0;
        });
        var id = new Argument<string>("id");
        var revoke = new Command("revoke", "Revoke an API key.") { id };
        revoke.SetAction(async (parse, ct) =>
        {
            await using var services = await ReadyAsync(ct);
            var done = await services.GetRequiredService<ApiKeyStore>().RevokeAsync(parse.GetValue(id)!, ct);
            Console.WriteLine(done ? "Revoked." : "No live key with that id.");
            return done ? 0 : 1;
        });
        return new Command("keys", "Manage API keys.") { create, list, revoke };
    }

    private static bool IsConfigurationFlag(string arg) =>
        arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq && eq > 0 && arg.AsSpan(2, eq - 2).Contains(':');

    private static ServiceProvider BuildServices()
    {
        var builder = Host.CreateApplicationBuilder(_configuration);
        TollgateHost.AddDefaults(builder.Configuration);
        builder.Logging.ClearProviders();
        TollgateHost.AddServices(builder.Services, builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }

    private static async Task<ServiceProvider> ReadyAsync(CancellationToken cancellationToken)
    {
        var services = BuildServices();
        await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
        return services;
    }
}
