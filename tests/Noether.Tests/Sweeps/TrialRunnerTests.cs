using Noether.Cli;
using Noether.Experiments;
using Noether.Runs;
using Noether.Sweeps;

namespace Noether.Tests.Sweeps;

[Collection("console")]
public class TrialRunnerTests
{
    [Theory]
    [InlineData("SLURM_ARRAY_TASK_ID", "3", 3)]
    [InlineData("JOB_COMPLETION_INDEX", "0", 0)]
    [InlineData("SGE_TASK_ID", "5", 4)]
    public void The_trial_index_comes_from_the_schedulers_variable(string name, string value, int expected)
    {
        Assert.Equal(expected, TrialRunner.IndexFromEnvironment(v => v == name ? value : null));
    }

    [Fact]
    public void Slurm_wins_over_the_others_and_nothing_set_or_sge_undefined_gives_no_index()
    {
        var env = new Dictionary<string, string> { ["SGE_TASK_ID"] = "9", ["SLURM_ARRAY_TASK_ID"] = "2" };
        Assert.Equal(2, TrialRunner.IndexFromEnvironment(v => env.GetValueOrDefault(v)));
        Assert.Null(TrialRunner.IndexFromEnvironment(_ => null));
        Assert.Null(TrialRunner.IndexFromEnvironment(v => v == "SGE_TASK_ID" ? "undefined" : null));
        Assert.Throws<ConfigException>(() => TrialRunner.IndexFromEnvironment(v => v == "SLURM_ARRAY_TASK_ID" ? "x" : null));
    }

    [Fact]
    public void A_completed_trial_exits_0_at_once_without_touching_its_folder()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "s", $$"""{ "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}}, "seeds": [1, 2] }""");
        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "run-trial", m.Directory, "--index", "1"]));
        string dir = m.TrialDirectory(m.Trials[1]);
        var rec = RunRecord.Load(dir);
        Assert.Equal(RunStatus.Completed, rec.Status);
        Assert.Equal(2, rec.Seed);
        Assert.False(File.Exists(Path.Combine(dir, RunCheckpoints.FileName))); // a completed run keeps no checkpoint
        var before = Directory.GetFiles(dir).ToDictionary(f => f, f => (File.ReadAllBytes(f), File.GetLastWriteTimeUtc(f)));

        Assert.Equal(Commands.Ok, Commands.Main(["sweep", "run-trial", m.Directory, "--index", "1"]));
        var (outcome, again) = TrialRunner.Run(m, 1, 1, new CheckpointSettings());
        Assert.Equal(TrialOutcome.AlreadyCompleted, outcome);
        Assert.Equal(rec.Finished, again!.Finished);
        foreach (var (f, (bytes, time)) in before)
        {
            Assert.Equal(bytes, File.ReadAllBytes(f));
            Assert.Equal(time, File.GetLastWriteTimeUtc(f));
        }
        Assert.Equal(TrialState.Missing, TrialStatus.Of(m, m.Trials[0]).State);
        Assert.Equal(TrialState.Completed, TrialStatus.Of(m, m.Trials[1]).State);
        Directory.Delete(root, true);
    }

    [Fact]
    public void A_trial_held_by_another_worker_is_not_run_twice()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "s", $$"""{ "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}} }""");
        string dir = m.TrialDirectory(m.Trials[0]);
        using (TrialLock.TryAcquire(dir))
        {
            Assert.Equal(TrialState.Running, TrialStatus.Of(m, m.Trials[0]).State);
            Assert.Equal(TrialOutcome.Busy, TrialRunner.Run(m, 0, 1, new CheckpointSettings()).Outcome);
        }
        Assert.Equal(TrialState.Missing, TrialStatus.Of(m, m.Trials[0]).State);
        Directory.Delete(root, true);
    }

    [Fact]
    public void Bad_indices_and_a_config_that_no_longer_matches_the_manifest_are_user_errors()
    {
        string root = SweepFixture.NewRoot();
        var m = SweepFixture.Plan(root, "s", $$"""{ "experiment": "noise-equilibrium", "set": {{SweepFixture.TinySet}} }""");
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "run-trial", m.Directory, "--index", "1"]));
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "run-trial", Path.Combine(root, "nowhere"), "--index", "0"]));
        // Planned with other defaults than the code now resolves: refuse rather than run another trial.
        string path = Path.Combine(m.Directory, SweepManifest.FileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"hidden\": 16", "\"hidden\": 17"));
        Assert.Equal(Commands.UserError, Commands.Main(["sweep", "run-trial", m.Directory, "--index", "0"]));
        Assert.False(File.Exists(Path.Combine(m.TrialDirectory(m.Trials[0]), "run.json")));
        Directory.Delete(root, true);
    }
}
