using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Noether.Cli;
using Noether.Runs;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

[Collection("console")]
public class BackendTests
{
    [Fact]
    public void Local_pool_runs_a_2x2x2_sweep_then_reruns_nothing_and_collect_answers_by_axis()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "pool", $$"""
            { "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}},
              "axes": { "balance.lr": [0.01, 0.02], "balance.sgd_batch": [2, 4] }, "seeds": [1, 2] }
            """);
        Assert.Equal(8, m.Trials.Count);
        var log = new StringWriter();
        Assert.True(LocalPool.Run(m, SweepFixture.Cli(), 2, log), log.ToString());
        Assert.All(TrialStatus.Of(m), s => Assert.Equal(TrialState.Completed, s.State));
        // Each trial is its own run: its seed and axis values are in its run.json.
        var rec5 = RunRecord.Load(m.TrialDirectory(m.Trials[5]));
        Assert.Equal(2, rec5.Seed);
        Assert.Equal(0.02, rec5.Config["balance"]!["lr"]!.GetValue<double>());
        Assert.Equal(2, rec5.Config["balance"]!["sgd_batch"]!.GetValue<int>());

        var again = new StringWriter();
        Assert.True(LocalPool.Run(m, SweepFixture.Cli(), 2, again));
        Assert.Contains("0 of 8 trials to run", again.ToString());

        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "status", m.Directory]));
        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "collect", m.Directory]));
        string db = Path.Combine(m.Directory, SweepCollector.FileName);
        Assert.Equal((8L, 8L, 96L), (SweepCollector.Counts(db).Trials, SweepCollector.Counts(db).Completed, SweepCollector.Counts(db).Claims));

        // "Mean claim value per <axis>" in one query, checked against the run.json files themselves.
        var fromDb = new Dictionary<(double, string), double>();
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                SELECT c.number AS lr, k.claim, AVG(k.measured) AS mean, COUNT(*) AS n
                FROM claims k JOIN configs c ON c.trial = k.trial AND c.key = 'balance.lr'
                WHERE k.claim NOT LIKE 'H-a.rate-%' AND k.claim NOT LIKE 'H-d.%'
                GROUP BY c.number, k.claim ORDER BY k.claim, lr
                """;
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                Assert.Equal(4, r.GetInt32(3));
                fromDb[(r.GetDouble(0), r.GetString(1))] = r.GetDouble(2);
            }
        }
        // The rate-of-approach and H-d claims have no finite value (NULL) here: the tiny setting cuts the rate arms at 300 steps,
        // and its 50-step warmup is too short to rescue the Kaiming runs (∞). The other eight are averaged.
        Assert.Equal(2 * 8, fromDb.Count);
        // Metrics join their members on (trial, phase, member): every metric row has exactly one member row.
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = """
                SELECT COUNT(*), SUM(b.seed IS NOT NULL), SUM(a.phase = 'balance.sgd'), (SELECT COUNT(*) FROM claims WHERE kind = 'claim' AND (low IS NOT NULL OR high IS NOT NULL))
                FROM metrics a LEFT JOIN members b ON a.trial = b.trial AND a.phase = b.phase AND a.member = b.member
                """;
            using var r = cmd.ExecuteReader();
            Assert.True(r.Read());
            Assert.True(r.GetInt64(0) > 0);
            Assert.Equal(r.GetInt64(0), r.GetInt64(1));
            Assert.True(r.GetInt64(2) > 0);
            Assert.Equal(8L * 11, r.GetInt64(3)); // 12 claims per trial, of which H-b.sgd-monotone is a check
        }
        foreach (var lr in new[] { 0.01, 0.02 })
        {
            var claims = m.Trials.Where(t => t.Axes["balance.lr"]!.GetValue<double>() == lr)
                .SelectMany(t => RunRecord.Load(m.TrialDirectory(t)).Claims).Where(c => !c.Id.StartsWith("H-a.rate-") && !c.Id.StartsWith("H-d.")).GroupBy(c => c.Id);
            foreach (var g in claims) Assert.Equal(g.Average(c => c.Measured!.Value), fromDb[(lr, g.Key)], 12);
        }
        Directory.Delete(root, true);
    }

    [Fact]
    public void Slurm_array_spec_compresses_pending_indices_and_the_script_carries_the_directives()
    {
        Assert.Equal("0-3%2", SlurmBackend.ArraySpec([0, 1, 2, 3], 2));
        Assert.Equal("0,2-4,9", SlurmBackend.ArraySpec([9, 0, 3, 2, 4], null));
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "s", $$"""{ "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}}, "seeds": [1, 2, 3, 4] }""");
        var script = SlurmBackend.Script(m, SweepFixture.Cli(30), [0, 1, 2, 3],
            new SlurmOptions { Partition = "short", Parallel = 2, Time = "10:00", Mem = "2G", Extra = ["--account=lab"] });
        foreach (var line in new[] { "#SBATCH --array=0-3%2", "#SBATCH --signal=USR1@90", "#SBATCH --partition=short", "#SBATCH --time=10:00",
                     "#SBATCH --mem=2G", "#SBATCH --account=lab", "#SBATCH --cpus-per-task=1" })
            Assert.Contains(line + "\n", script);
        Assert.Contains($"sweep run-trial {m.Directory} --threads 1 --checkpoint-every 30", script);
        Assert.DoesNotContain("--index", script); // array tasks read SLURM_ARRAY_TASK_ID
        Directory.Delete(root, true);
    }

    [Fact]
    public void Print_writes_one_command_per_unfinished_trial_and_a_missing_backend_is_a_user_error()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "s", $$"""{ "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}}, "seeds": [1, 2, 3] }""");
        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "run-trial", m.Directory, "--index", "1"]));
        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "run", m.Directory, "--print"]));
        var lines = File.ReadAllLines(Path.Combine(m.Directory, "commands.txt"));
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("--index 0 --threads 1 --checkpoint-every 60", lines[0]);
        Assert.Contains("--index 2 ", lines[1]);
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "run", m.Directory]));
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "run", m.Directory, "--local", "--print"]));
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "run", m.Directory, "--slurm", "--sbatch", "/no/such/sbatch"]));
        Directory.Delete(root, true);
    }
}
