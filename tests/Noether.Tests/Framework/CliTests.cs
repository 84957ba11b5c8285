using Noether.Cli;
using Noether.Runs;

namespace Noether.Tests.Framework;

[Collection("console")]
public class CliTests
{
    private static readonly string[] Short = ["--set", "balance.sgd_steps=200", "--set", "balance.gd_steps=20", "--set", "scale.steps=200", "--set", "warmup.steps=200", "--set", "warmup.warmup_steps=100", "--set", "seeds=1"];

    [Theory]
    [InlineData("run", "no-such-experiment")]
    [InlineData("run", "noise-equilibrium", "--set", "balance.nope=1")]
    [InlineData("run", "noise-equilibrium", "--set", "seeds=abc")]
    [InlineData("run", "noise-equilibrium", "--set", "seeds=0")]
    [InlineData("run", "noise-equilibrium", "--profile", "enormous")]
    [InlineData("run", "noise-equilibrium", "--config", "/no/such/file.json")]
    [InlineData("run", "noise-equilibrium", "--threads", "0")]
    [InlineData("reproduce", "--only", "noise-equilibrium,bogus")]
    [InlineData("run", "crh", "--set", "samples=2000000000")]
    [InlineData("frobnicate")]
    public void User_errors_exit_2_before_anything_is_written(params string[] args)
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-cli-" + Guid.NewGuid().ToString("N"));
        int code = Commands.Main([.. args, "--out", dir]);
        Assert.Equal(Commands.UserError, code);
        Assert.False(File.Exists(Path.Combine(dir, "run.json")));
    }

    [Fact]
    public void Failed_claims_exit_1_and_no_fail_exits_0_after_a_complete_run()
    {
        // 200 SGD steps are far too few to reach the equilibrium: the claims must fail, not pass.
        string dir = Path.Combine(Path.GetTempPath(), "noether-cli-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(Commands.ClaimsFailed, Commands.Main(["run", "noise-equilibrium", .. Short, "--out", dir]));
        var rec = RunRecord.Load(dir);
        Assert.Equal(RunStatus.Completed, rec.Status);
        Assert.Contains(rec.Claims, c => !c.Passed);
        Assert.Equal(Commands.Ok, Commands.Main(["run", "noise-equilibrium", .. Short, "--out", dir, "--no-fail", "--force"]));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Reproduce_refuses_a_completed_run_of_any_experiment_before_the_first_one_starts()
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-cli-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(Commands.Ok, Commands.Main(["run", "noise-equilibrium", .. Short, "--out", Path.Combine(dir, "noise-equilibrium"), "--no-fail"]));
        Assert.Equal(Commands.UserError, Commands.Main(["reproduce", "--only", "symmetry-hierarchy,noise-equilibrium", "--out", dir, "--jobs", "1"]));
        Assert.False(Directory.Exists(Path.Combine(dir, "symmetry-hierarchy")));
        Assert.Equal(RunStatus.Completed, RunRecord.Load(Path.Combine(dir, "noise-equilibrium")).Status);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void List_exits_0()
    {
        Assert.Equal(Commands.Ok, Commands.Main(["list"]));
        Assert.Equal(Commands.Ok, Commands.Main(["list", "--keys", "noise-equilibrium"]));
        foreach (var what in new[] { "probes", "rules", "initializers", "optimizers", "schedules", "activations" })
            Assert.Equal(Commands.Ok, Commands.Main(["list", what]));
    }

    [Fact]
    public void A_probe_layer_the_network_lacks_exits_2_without_a_run_folder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "noether-cli-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(Commands.UserError, Commands.Main(["run", "hebbian", "--set", "seeds=1", "--set", "probes=hebbian", "--set", "probes.layers=7", "--out", dir, "--threads", "1"]));
        Assert.False(Directory.Exists(dir));
    }
}

[Collection("console")]
public class MetricCliTests
{
    [Fact]
    public void Metric_command_reads_npy_and_exits_0_or_2_on_malformed_input()
    {
        string dir = Directory.CreateTempSubdirectory().FullName;
        var rng = new Noether.Tensors.Rng(4);
        var a = new Noether.Tensors.Tensor<double>(50, 4); rng.FillNormal(a.Span, 0, 1);
        Noether.Runs.Npy.Write(Path.Combine(dir, "a.npy"), a);
        Noether.Runs.Npy.Write(Path.Combine(dir, "b.npy"), a);
        var shortB = new Noether.Tensors.Tensor<double>(40, 4);
        Noether.Runs.Npy.Write(Path.Combine(dir, "short.npy"), shortB);
        File.WriteAllBytes(Path.Combine(dir, "bad.npy"), [1, 2, 3]);
        Assert.Equal(Commands.Ok, Commands.Main(["metric", "cka", Path.Combine(dir, "a.npy"), Path.Combine(dir, "b.npy"), "--json"]));
        Assert.Equal(Commands.UserError, Commands.Main(["metric", "cka", Path.Combine(dir, "a.npy"), Path.Combine(dir, "short.npy")]));
        Assert.Equal(Commands.UserError, Commands.Main(["metric", "mknn", Path.Combine(dir, "a.npy"), Path.Combine(dir, "bad.npy")]));
        Assert.Equal(Commands.UserError, Commands.Main(["metric", "cka", Path.Combine(dir, "a.npy"), Path.Combine(dir, "missing.npy")]));
        Assert.Equal(Commands.UserError, Commands.Main(["metric", "nope", Path.Combine(dir, "a.npy"), Path.Combine(dir, "b.npy")]));
        Directory.Delete(dir, true);
    }
}
