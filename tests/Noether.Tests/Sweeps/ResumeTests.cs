using System.Diagnostics;
using Noether.Experiments;
using Noether.Runs;
using Noether.Sweeps;
using Xunit.Abstractions;

namespace Noether.Tests.Sweeps;

/// <summary>
/// Kill a real `noether sweep run-trial` process at random points (SIGKILL: resume from the last
/// periodic checkpoint; SIGTERM: checkpoint on the signal, then exit), resume it until it completes,
/// and compare with an uninterrupted run: metrics.csv, figures.json and every claim's measured
/// value must be identical byte for byte (1 thread).
/// </summary>
[Collection("console")]
public class ResumeTests(ITestOutputHelper output)
{
    // Long enough (a few seconds) to be killed several times, in every phase; seeds=2 so the population path is resumed too.
    private const string Spec = """{ "experiment": "noise-equilibrium", "set": { "seeds": 2, "balance.sgd_steps": 8000, "balance.gd_steps": 1500, "scale.steps": 6000, "warmup.steps": 3000, "warmup.warmup_steps": 2000 }, "seeds": [3] }""";

    [Fact]
    public void A_trial_killed_at_random_steps_resumes_to_the_same_bits_as_an_uninterrupted_run()
    {
        string root = SweepFixture.NewRoot();
        var reference = SweepFixture.Plan(root, "reference", Spec);
        var (outcome, _) = TrialRunner.Run(reference, 0, 1, new CheckpointSettings());
        Assert.Equal(TrialOutcome.Completed, outcome);
        string refDir = reference.TrialDirectory(reference.Trials[0]);
        int finalRows = SweepFixture.LineCount(Path.Combine(refDir, "metrics.csv"));

        var m = SweepFixture.Plan(root, "killed", Spec);
        string dir = m.TrialDirectory(m.Trials[0]);
        string metrics = Path.Combine(dir, "metrics.csv");
        int seed = Environment.TickCount;
        output.WriteLine($"kill points drawn with seed {seed}");
        var rng = new Random(seed);
        int kills = 0, terms = 0;
        for (int attempt = 0; attempt < 16 && kills + terms < 5; attempt++)
        {
            // A random point in the first half of what is left: late enough to lose work, early enough to land before the end.
            int from = SweepFixture.LineCount(metrics);
            int target = from + 1 + rng.Next(Math.Max(1, (finalRows - from) / 2));
            using var p = SweepFixture.StartTrial(m, 0, checkpointEvery: 0.05);
            while (!p.HasExited && SweepFixture.LineCount(metrics) < target) Thread.Sleep(5);
            bool graceful = (kills + terms) % 2 == 1;
            if (!p.HasExited)
            {
                if (graceful) ProcessSignals.Terminate(p); else p.Kill();
            }
            p.WaitForExit();
            if (p.ExitCode == 0)
            {
                // The trial finished before the signal landed (likelier on a faster machine or engine): start again in a
                // newly planned sweep, so every signal still lands on an unfinished trial.
                output.WriteLine($"finished before the signal at {target} of {finalRows} metric rows; starting again");
                m = SweepFixture.Plan(root, $"killed-{attempt}", Spec);
                dir = m.TrialDirectory(m.Trials[0]);
                metrics = Path.Combine(dir, "metrics.csv");
                kills = terms = 0;
                continue;
            }
            if (graceful)
            {
                terms++;
                Assert.Equal(1, p.ExitCode); // interrupted, not failed
                var rec = RunRecord.Load(dir);
                Assert.Equal(RunStatus.Interrupted, rec.Status);
                Assert.Contains("checkpoint at", rec.Error);
                Assert.True(File.Exists(Path.Combine(dir, RunCheckpoints.FileName)));
            }
            else kills++;
            output.WriteLine($"{(graceful ? "SIGTERM" : "SIGKILL")} at {SweepFixture.LineCount(metrics)} of {finalRows} metric rows (target {target}); status {TrialStatus.Of(m, m.Trials[0]).State}");
        }
        using (var last = SweepFixture.StartTrial(m, 0, checkpointEvery: 0.05))
        {
            last.WaitForExit();
            Assert.Equal(0, last.ExitCode);
        }
        var resumed = RunRecord.Load(dir);
        output.WriteLine($"resumed from: {string.Join(", ", resumed.ResumedFrom)}");
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.True(kills >= 2 && terms >= 2, $"only {kills} SIGKILLs and {terms} SIGTERMs landed before the end");
        Assert.True(resumed.ResumedFrom.Count >= 2);

        Assert.Equal(File.ReadAllBytes(Path.Combine(refDir, "metrics.csv")), File.ReadAllBytes(metrics));
        Assert.Equal(File.ReadAllBytes(Path.Combine(refDir, "figures.json")), File.ReadAllBytes(Path.Combine(dir, "figures.json")));
        var expected = RunRecord.Load(refDir).Claims;
        Assert.Equal(expected.Select(c => (c.Id, c.Measured, c.Passed, c.Details)), resumed.Claims.Select(c => (c.Id, c.Measured, c.Passed, c.Details)));
        var rows = MetricsWriter.Read(metrics);
        Assert.Equal(rows.Count, rows.Select(r => (r.Step, r.Phase, r.Member, r.Layer, r.Name)).Distinct().Count()); // no duplicated row
        Directory.Delete(root, true);
    }
}
