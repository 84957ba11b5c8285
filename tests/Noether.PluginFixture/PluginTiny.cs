using Noether.Experiments;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.PluginFixture;

/// <summary>A tanh MLP learns a linear map; the claim is that its loss falls tenfold. Registered only when this assembly is loaded by file.</summary>
public sealed class PluginTiny : Experiment<PluginTiny.Config>
{
    public override string Id => "plugin-tiny";
    public override string Title => "An experiment loaded from another assembly";
    public override Paper Paper => new("None", "Noether tests", "0000.00000");
    public override string Summary => "the loss falls tenfold";

    public sealed class Config : TrainedConfig
    {
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 300;
        [Param("learning rate", Min = 0, Max = 10)] public double Lr { get; set; } = 0.1;
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
            pop.Stream(m, "data").FillNormal(x.SliceSpan(m), 0, 1);
            var xs = x.SliceSpan(m); var ys = y.SliceSpan(m);
            for (int n = 0; n < 64; n++) { ys[2 * n] = 0.5 * xs[4 * n] - xs[4 * n + 1]; ys[2 * n + 1] = xs[4 * n + 2]; }
        }
        var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), c.Optimizer.Create<double>(pop.Count, c.Lr), new TrainingData<double>(x, y, perMember: true), 16,
            pop.Streams("batches"), c.Optimizer.ScheduleOf());
        c.Attach(trainer, pop.Stream);
        ctx.Watch(pop, trainer);
        var first = trainer.EvaluateLoss();
        ctx.Phase("train", phase => { phase.Train(trainer, c.Steps, 50, step => { for (int m = 0; m < pop.Count; m++) pop.Log(step, m, "loss", trainer.EvaluateLoss()[m]); }, ctx.Cancel); return 0; });
        var last = trainer.EvaluateLoss();
        return [Claim.AtMost("tiny.loss-falls", "final loss / initial loss (worst member)", Enumerable.Range(0, pop.Count).Max(m => last[m] / first[m]), 0.1, "")];
    }
}
