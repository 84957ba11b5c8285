using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;
using Noether.Runs;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Experiments;

/// <summary>
/// An experiment defined outside the library (here, in the test assembly) registers itself and runs like a paper's:
/// run folder, members, metrics, claims, the shared training sections and probes (docs/EXTENDING.md#an-experiment).
/// </summary>
public class RegisteredExperimentTests
{
    /// <summary>A tanh MLP learns a linear map; the claim is that its loss falls tenfold.</summary>
    private sealed class TinyExperiment : Experiment<TinyExperiment.Config>
    {
        public override string Id => "tiny-outside";
        public override string Title => "A registered experiment from another assembly";
        public override Paper Paper => new("None", "Noether tests", "0000.00000");
        public override string Summary => "the loss falls tenfold";

        public sealed class Config : TrainedConfig
        {
            [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 300;
        }

        protected override Config Profile(string profile) => new();

        protected override IReadOnlyList<Claim> Run(Config c, RunContext ctx)
        {
            var pop = ctx.Population("train", PopulationLayout.OfSeeds(2));
            var net = Mlp.Build<double>(pop.Count, [4, 8, 2], "tanh");
            net.Initialize(InitScheme.LeCun, pop.Streams("init"));
            var x = new Tensor<double>(pop.Count, 64, 4);
            var y = new Tensor<double>(pop.Count, 64, 2);
            for (int m = 0; m < pop.Count; m++)
            {
                var rng = pop.Stream(m, "data");
                rng.FillNormal(x.SliceSpan(m), 0, 1);
                var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
                for (int n = 0; n < 64; n++) { ys[2 * n] = 0.5 * xs[4 * n] - xs[4 * n + 1]; ys[2 * n + 1] = xs[4 * n + 2]; }
            }
            var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), c.Optimizer.Create<double>(pop.Count, 0.1), new TrainingData<double>(x, y, perMember: true), 16,
                pop.Streams("batches"), c.Optimizer.ScheduleOf());
            c.Attach(trainer, pop.Stream);
            ctx.Watch(pop, trainer);
            var first = trainer.EvaluateLoss();
            ctx.Phase("train", phase => { phase.Train(trainer, c.Steps, 100, step => { for (int m = 0; m < pop.Count; m++) pop.Log(step, m, "loss", trainer.EvaluateLoss()[m]); }, ctx.Cancel); return 0; });
            var last = trainer.EvaluateLoss();
            return [Claim.AtMost("tiny.loss-falls", "final loss / initial loss (worst member)", Enumerable.Range(0, pop.Count).Max(m => last[m] / first[m]), 0.1, "")];
        }
    }

    [Fact]
    public void A_registered_experiment_runs_with_a_run_folder_claims_and_probes()
    {
        var tiny = new TinyExperiment();
        Registry.Register(tiny);
        Registry.Register(tiny); // idempotent
        Assert.Throws<ArgumentException>(() => Registry.Register(new TinyExperiment()));
        Assert.Throws<ArgumentException>(() => Registry.Register(Registry.Get("crh")));
        string dir = Directory.CreateTempSubdirectory("noether-tiny-").FullName;
        try
        {
            var r = ExperimentRunner.Run(new RunRequest("tiny-outside") { OutputDirectory = Path.Combine(dir, "run"), Threads = 1, Sets = ["probes=weight-norm", "optimizer.momentum=0.5"] });
            Assert.Equal(RunStatus.Completed, r.Record.Status);
            Assert.True(r.Claims.Single().Passed, r.Claims.Single().Measured.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(2, r.Record.Members.Count);
            string metrics = File.ReadAllText(Path.Combine(r.Directory, "metrics.csv"));
            Assert.Contains(",probe.weight_norm,", metrics);
            Assert.Contains(",loss,", metrics);
            Assert.DoesNotContain(Registry.All, e => e.Id == "tiny-outside"); // not a paper: reproduce does not run it
        }
        finally { Directory.Delete(dir, true); }
    }
}
