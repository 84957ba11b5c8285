using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Noether.Runs;

namespace Noether.Sweeps;

/// <summary>One line of the sweep summary: a point of the axes (seeds pooled) and one claim over its completed trials.</summary>
public sealed record SummaryRow(string Point, string Claim, int Trials, int Passed, double? Mean, double? Min, double? Max);

/// <summary>
/// Merges every trial folder of a sweep into DIR/sweep.db (SQLite), rebuilt from the folders each
/// time and swapped in atomically:
/// <list type="bullet">
/// <item>trials(trial, name, seed, status, error, started, finished, seconds, claims_passed, claims_total, resumes, dir)</item>
/// <item>configs(trial, key, value, number, swept): the resolved config flattened to dotted keys, plus "seed"; number is set for numeric values; swept = 1 for the axes</item>
/// <item>claims(trial, claim, kind, statement, measured, comparison, low, high, passed, details)</item>
/// <item>members(trial, phase, member, seed, conditions): run.json's members, conditions as a JSON object (json_extract reads it)</item>
/// <item>metrics(trial, step, phase, member, layer, name, value): every metrics.csv row</item>
/// <item>summary(point, claim, trials, passed, mean, min, max): completed trials pooled over seeds</item>
/// <item>sweep(experiment, profile, version, trials, axis_keys, spec, collected)</item>
/// </list>
/// </summary>
public static class SweepCollector
{
    public const string FileName = "sweep.db";

    private const string Schema = """
        CREATE TABLE sweep (experiment TEXT, profile TEXT, version TEXT, trials INTEGER, axis_keys TEXT, spec TEXT, collected TEXT);
        CREATE TABLE trials (trial INTEGER PRIMARY KEY, name TEXT, seed INTEGER, status TEXT, error TEXT, started TEXT, finished TEXT,
                             seconds REAL, claims_passed INTEGER, claims_total INTEGER, resumes INTEGER, dir TEXT);
        CREATE TABLE configs (trial INTEGER, key TEXT, value TEXT, number REAL, swept INTEGER, PRIMARY KEY (trial, key));
        CREATE TABLE claims (trial INTEGER, claim TEXT, kind TEXT, statement TEXT, measured REAL, comparison TEXT, low REAL, high REAL,
                             passed INTEGER, details TEXT, PRIMARY KEY (trial, claim));
        CREATE TABLE members (trial INTEGER, phase TEXT, member INTEGER, seed INTEGER, conditions TEXT, PRIMARY KEY (trial, phase, member));
        CREATE TABLE metrics (trial INTEGER, step INTEGER, phase TEXT, member INTEGER, layer TEXT, name TEXT, value REAL);
        CREATE TABLE summary (point TEXT, claim TEXT, trials INTEGER, passed INTEGER, mean REAL, min REAL, max REAL);
        """;

    /// <summary>Builds DIR/sweep.db; returns the summary rows (also stored in its summary table).</summary>
    public static IReadOnlyList<SummaryRow> Collect(SweepManifest manifest)
    {
        string path = Path.Combine(manifest.Directory, FileName);
        string tmp = path + ".tmp-" + Environment.ProcessId;
        if (File.Exists(tmp)) File.Delete(tmp);
        var statuses = TrialStatus.Of(manifest);
        var swept = manifest.AxisKeys.ToHashSet();
        // No pooling: the file must be closed before it is renamed into place.
        using (var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = tmp, Pooling = false }.ToString()))
        {
            db.Open();
            Exec(db, null, Schema);
            using var tx = db.BeginTransaction();
            Insert(db, tx, "sweep", manifest.Experiment, manifest.Profile, manifest.Version, manifest.Trials.Count,
                string.Join(",", manifest.AxisKeys), manifest.Spec.ToJsonString(), DateTimeOffset.Now.ToString("o", CultureInfo.InvariantCulture));
            using var trialCmd = Prepare(db, tx, "trials", 12);
            using var configCmd = Prepare(db, tx, "configs", 5);
            using var claimCmd = Prepare(db, tx, "claims", 10);
            using var memberCmd = Prepare(db, tx, "members", 5);
            using var metricCmd = Prepare(db, tx, "metrics", 7);
            foreach (var s in statuses)
            {
                var t = s.Trial;
                var rec = s.Record;
                string dir = manifest.TrialDirectory(t);
                Run(trialCmd, t.Index, t.Name, t.Seed, s.State.ToString().ToLowerInvariant(), s.Problem ?? rec?.Error, rec?.Started.ToString("o", CultureInfo.InvariantCulture),
                    rec?.Finished?.ToString("o", CultureInfo.InvariantCulture), rec?.Seconds, rec?.Claims.Count(c => c.Passed), rec?.Claims.Count,
                    rec?.ResumedFrom.Count ?? 0, dir);
                foreach (var (key, value) in Flatten(t.Config, ""))
                    Run(configCmd, t.Index, key, Text(value), Number(value), swept.Contains(key) ? 1 : 0);
                Run(configCmd, t.Index, "seed", t.Seed.ToString(CultureInfo.InvariantCulture), (double)t.Seed, 1);
                foreach (var c in rec?.Claims ?? [])
                    Run(claimCmd, t.Index, c.Id, c.Kind, c.Statement, c.Measured, c.Comparison, c.Threshold?.Low, c.Threshold?.High, c.Passed ? 1 : 0, c.Details);
                foreach (var m in rec?.Members ?? [])
                {
                    var conditions = new JsonObject();
                    foreach (var (k, v) in m)
                        if (k is not ("phase" or "member" or "seed")) conditions[k] = v?.DeepClone();
                    Run(memberCmd, t.Index, (string?)m["phase"], (int?)m["member"], (long?)m["seed"], conditions.ToJsonString());
                }
                string metrics = Path.Combine(dir, "metrics.csv");
                if (s.State != TrialState.Corrupt && File.Exists(metrics))
                    foreach (var m in MetricsWriter.Read(metrics))
                        Run(metricCmd, t.Index, m.Step, m.Phase, m.Member, m.Layer, m.Name, double.IsFinite(m.Value) ? m.Value : null);
            }
            var summary = Summarise(manifest, statuses);
            using var summaryCmd = Prepare(db, tx, "summary", 7);
            foreach (var r in summary) Run(summaryCmd, r.Point, r.Claim, r.Trials, r.Passed, r.Mean, r.Min, r.Max);
            Exec(db, tx, "CREATE INDEX metrics_by_trial ON metrics (trial, name); CREATE INDEX configs_by_key ON configs (key, number);");
            tx.Commit();
        }
        File.Move(tmp, path, overwrite: true);
        return Summarise(manifest, statuses);
    }

    /// <summary>What a sweep.db holds, read back from the file: trials, completed trials, claim rows, metric rows.</summary>
    public static (long Trials, long Completed, long Claims, long Metrics) Counts(string databasePath)
    {
        if (!File.Exists(databasePath)) throw new FileNotFoundException($"{databasePath} does not exist; run 'noether sweep collect' first");
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        db.Open();
        long Scalar(string sql)
        {
            using var cmd = db.CreateCommand();
            cmd.CommandText = sql;
            return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        return (Scalar("SELECT COUNT(*) FROM trials"), Scalar("SELECT COUNT(*) FROM trials WHERE status = 'completed'"),
            Scalar("SELECT COUNT(*) FROM claims"), Scalar("SELECT COUNT(*) FROM metrics"));
    }

    /// <summary>Completed trials grouped by their axis values (seed pooled), per claim.</summary>
    public static IReadOnlyList<SummaryRow> Summarise(SweepManifest manifest, IReadOnlyList<TrialStatus> statuses)
    {
        var rows = new List<SummaryRow>();
        var groups = statuses.Where(s => s.State == TrialState.Completed && s.Record is not null)
            .GroupBy(s => Point(s.Trial)).OrderBy(g => g.Min(s => s.Trial.Index));
        foreach (var g in groups)
            foreach (var claim in g.SelectMany(s => s.Record!.Claims).GroupBy(c => c.Id))
            {
                var measured = claim.Where(c => c.Measured is not null).Select(c => c.Measured!.Value).ToList();
                rows.Add(new SummaryRow(g.Key, claim.Key, claim.Count(), claim.Count(c => c.Passed),
                    measured.Count > 0 ? measured.Average() : null, measured.Count > 0 ? measured.Min() : null, measured.Count > 0 ? measured.Max() : null));
            }
        return rows;
    }

    private static string Point(Trial t) =>
        t.Axes.Count == 0 ? "(all)" : string.Join(", ", t.Axes.Select(kv => $"{kv.Key}={SweepSpec.ValueText(kv.Value)}"));

    private static IEnumerable<(string Key, JsonNode? Value)> Flatten(JsonObject obj, string prefix)
    {
        foreach (var (name, node) in obj)
        {
            if (node is JsonObject child) foreach (var x in Flatten(child, prefix + name + ".")) yield return x;
            else yield return (prefix + name, node);
        }
    }

    private static string? Text(JsonNode? v) => v switch
    {
        null => null,
        JsonValue s when s.GetValueKind() == JsonValueKind.String => s.GetValue<string>(),
        _ => v.ToJsonString(),
    };

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static double? Number(JsonNode? v) => v is JsonValue n && n.GetValueKind() == JsonValueKind.Number ? n.GetValue<double>()
        : v is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? (b.GetValue<bool>() ? 1 : 0) : null;

    private static void Exec(SqliteConnection db, SqliteTransaction? tx, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static SqliteCommand Prepare(SqliteConnection db, SqliteTransaction tx, string table, int columns)
    {
        var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"INSERT INTO {table} VALUES ({string.Join(", ", Enumerable.Range(0, columns).Select(i => "$p" + i))})";
        for (int i = 0; i < columns; i++) cmd.Parameters.Add(new SqliteParameter("$p" + i, null));
        cmd.Prepare();
        return cmd;
    }

    private static void Run(SqliteCommand cmd, params object?[] values)
    {
        for (int i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        cmd.ExecuteNonQuery();
    }

    private static void Insert(SqliteConnection db, SqliteTransaction tx, string table, params object?[] values)
    {
        using var cmd = Prepare(db, tx, table, values.Length);
        Run(cmd, values);
    }
}
