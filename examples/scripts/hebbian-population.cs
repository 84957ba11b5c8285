#:project ../../src/Noether/Noether.csproj
// Four tanh MLPs trained in lockstep as one population, one weight decay wd each, all with direct
// feedback alignment on the same teacher data; prints the Hebbian alignment of the output layer's
// learning signal over training (Koplow, Poggio & Ziyin: weight decay makes it Hebbian).
// Run from the repository root: dotnet run examples/scripts/hebbian-population.cs
using Noether.Data;
using Noether.Experiments;
using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

double[] decays = [0, 1e-3, 1e-2, 3e-2];
int p = decays.Length;
var seed = new Rng(7);
var teacher = TeacherStudent.Tanh<double>(p, 1024, 16, 32, 4, _ => seed.Child("teacher")); // every member sees the same data
var net = Mlp.Build<double>(p, [16, 32, 4], "tanh", bias: false);
net.Initialize(InitScheme.LeCun, [.. Enumerable.Repeat(0, p).Select(_ => seed.Child("init"))]);
var rule = new RuleConfig { Name = "dfa" }.Build(net, (m, name) => seed.Child(name, m), new RuleConfig.PerMember { L2 = decays });
var data = new TrainingData<double>(teacher.Inputs, teacher.Targets, perMember: true);
var trainer = new Trainer<double>(net, new MseLoss<double>(half: true), new Sgd<double>(p, 0.05), data, 32,
    [.. Enumerable.Repeat(0, p).Select(_ => seed.Child("batches"))]);
trainer.Use(rule);

Console.WriteLine("steps        " + string.Join("  ", decays.Select(g => $"wd={g,-6}")));
var mean = decays.Select(_ => new StepAverage()).ToArray(); // the paper averages per-step cosines, never the signals
rule.SignalObservers.Add(step =>
{
    var output = step.Network.Trace[^1]; // the output layer: its input h_a, pre-activation h_b, and −(signal) in the gradient
    for (int m = 0; m < p; m++)
        mean[m].Add(-HebbianAlignment.LayerAlignment(output.Layer.Weight.Grad.Slice(m), output.Input.Slice(m), output.PreActivation.Slice(m)));
    if ((step.Step + 1) % 1000 != 0) return;
    Console.WriteLine($"{step.Step - 998,5}–{step.Step + 1,-5}  " + string.Join("  ", mean.Select(a => $"{a.Mean,8:0.000}")));
    foreach (var a in mean) a.Reset();
});
trainer.Run(steps: 6000, every: 1000);
Console.WriteLine("final loss: " + string.Join(", ", trainer.EvaluateLoss().Select(l => l.ToString("0.0000"))));
