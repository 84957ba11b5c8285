using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// entropic-balance on real images (`--set data=fashion-mnist`; symmetry.md §D.4, the paper's Fig. 2: "the
/// emergence of layer and neuron balances in a ReLU network trained on MNIST"). A ReLU MLP d-h-h-k without
/// biases is homogeneous, so rescaling a layer against the next one, or a neuron's incoming weights against its
/// outgoing ones, leaves the function unchanged; the entropic force of SGD noise picks the point of each orbit
/// where the two sides carry equal per-sample gradient energy (§0.1 fact 6):
/// layer balance E‖∇_{W_l}ℓ‖² = E‖∇_{W_{l+1}}ℓ‖², neuron balance E‖∂ℓ/∂w_i‖² = E‖∂ℓ/∂u_i‖².
/// The start is put off balance by such a rescaling (the function is the He-initialised one), then SGD on
/// softmax cross-entropy without weight decay trains it; a low-noise control with a large batch and the same
/// η sees the same number of examples. Balances are measured on training examples, per-sample.
/// </summary>
public sealed partial class EntropicBalance
{
    /// <summary>The real-data variant's setting (used only when data is a real source).</summary>
    public sealed class RealDataConfig : IValidatedConfig
    {
        [Param("hidden width h of both ReLU layers", Min = 2, Max = 4096)] public int Width { get; set; } = 128;
        [Param("SGD batch size", Min = 1)] public int Batch { get; set; } = 16;
        [Param("SGD learning rate η (both arms)", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 20000;
        [Param("training loss: cross-entropy (softmax) or mse (½‖f − onehot(y)‖²)", OneOf = ["cross-entropy", "mse"])] public string Loss { get; set; } = "cross-entropy";
        [Param("coupled L2 weight decay of SGD (the balance is exact only at 0)", Min = 0, Max = 1)] public double WeightDecay { get; set; }
        [Param("batch of the low-noise control arm, trained for steps·batch/control_batch steps at the same η (0: no control)", Min = 0)] public int ControlBatch { get; set; } = 1000;
        [Param("layer rescaling at the start: W₁ × c, W₂ / c (the function is unchanged)", Min = 1e-3, Max = 1e3)] public double InitLayerScale { get; set; } = 1;
        [Param("neuron rescaling at the start: each hidden neuron's incoming weights × e^{sξ}, outgoing × e^{−sξ}, ξ ~ N(0, 1) (the function is unchanged)", Min = 0, Max = 10)] public double InitNeuronSpread { get; set; } = 0;
        [Param("training examples on which the balances are measured", Min = 2)] public int BalanceSamples { get; set; } = 2000;
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 3;
        [Param("SGD steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 1000;
        [Param("the accuracy claim: test accuracy SGD must reach (the network learns the task)", Min = 0, Max = 1)] public double MinAccuracy { get; set; } = 0.75;

        public void Validate()
        {
            if (BalanceSamples < Batch) throw new ConfigException($"real.balance_samples={BalanceSamples}: expected at least real.batch ({Batch})");
        }
    }

    /// <summary>Balances of one member: log ρ_l per layer pair (l, l+1) and the median |log ratio| of the neurons of each hidden layer.</summary>
    private sealed record Balances(double[] Layer, double[] Neuron)
    {
        public double WorstLayer => Layer.Max(Math.Abs);
        public double WorstNeuron => Neuron.Max();
    }

    private static IReadOnlyList<Claim> RunReal(Config config, RunContext ctx)
    {
        var c = config.Real;
        var data = ctx.Time("data", () => config.Data.Load(ctx.Root.Child("data")));
        if (c.Batch > data.Train.Count || c.ControlBatch > data.Train.Count || c.BalanceSamples > data.Train.Count)
            throw new ConfigException($"real.batch={c.Batch}, real.control_batch={c.ControlBatch}, real.balance_samples={c.BalanceSamples}: expected each at most the {data.Train.Count} training examples (data.n_train)");
        int seeds = c.Seeds;
        Loss<float> loss = c.Loss == "mse" ? new MseLoss<float>(half: true) : new SoftmaxCrossEntropyLoss<float>();
        int[] widths = [data.InputDim, c.Width, c.Width, data.Classes];

        var (sgd, sgdInit, sgdAccuracy) = TrainRealArm("sgd", c.Batch, c.Steps, c.ProbeEvery, config, data, widths, loss, ctx);
        Balances[]? control = null;
        double[]? controlAccuracy = null;
        int controlSteps = 0;
        if (c.ControlBatch > 0)
        {
            controlSteps = Math.Max(1, (int)((long)c.Steps * c.Batch / c.ControlBatch));
            (control, _, controlAccuracy) = TrainRealArm("large-batch", c.ControlBatch, controlSteps, Math.Max(1, c.ProbeEvery * c.Batch / c.ControlBatch), config, data, widths, loss, ctx);
        }
        for (int s = 0; s < seeds; s++)
        {
            string key = $"real.seed={ctx.Seed + s}";
            for (int l = 0; l < sgd[s].Layer.Length; l++) { ctx.Extra[$"{key}.init.layer{l + 1}_log_ratio"] = sgdInit[s].Layer[l]; ctx.Extra[$"{key}.sgd.layer{l + 1}_log_ratio"] = sgd[s].Layer[l]; }
            for (int l = 0; l < sgd[s].Neuron.Length; l++) { ctx.Extra[$"{key}.init.hidden{l + 1}_neuron_balance"] = sgdInit[s].Neuron[l]; ctx.Extra[$"{key}.sgd.hidden{l + 1}_neuron_balance"] = sgd[s].Neuron[l]; }
            ctx.Extra[$"{key}.sgd.test_accuracy"] = sgdAccuracy[s];
            if (control is not null)
            {
                for (int l = 0; l < control[s].Layer.Length; l++) ctx.Extra[$"{key}.large-batch.layer{l + 1}_log_ratio"] = control[s].Layer[l];
                for (int l = 0; l < control[s].Neuron.Length; l++) ctx.Extra[$"{key}.large-batch.hidden{l + 1}_neuron_balance"] = control[s].Neuron[l];
                ctx.Extra[$"{key}.large-batch.test_accuracy"] = controlAccuracy![s];
            }
        }

        string Layers(Balances[] b) => string.Join(", ", Enumerable.Range(0, seeds).Select(s => $"seed {ctx.Seed + s}: [{string.Join(", ", b[s].Layer.Select(Claim.Format))}]"));
        string Neurons(Balances[] b) => string.Join(", ", Enumerable.Range(0, seeds).Select(s => $"seed {ctx.Seed + s}: [{string.Join(", ", b[s].Neuron.Select(Claim.Format))}]"));
        string setting = $"ReLU MLP {string.Join("-", widths)} without biases on {data.Description}, SGD |B|={c.Batch}, η={c.Lr}, {c.Steps} steps, {c.Loss}, {(c.WeightDecay == 0 ? "no weight decay" : $"weight decay {c.WeightDecay}")}";
        var claims = new List<Claim>
        {
            Claim.AtMost("D-real.layer-balance",
                $"Layer balance emerges in a {setting}: |log(E‖∇_{{W_l}}ℓ‖² / E‖∇_{{W_l+1}}ℓ‖²)| on {c.BalanceSamples} training images (largest over the layer pairs and {seeds} seeds)",
                sgd.Max(b => b.WorstLayer), 0.7, $"per layer pair after SGD: {Layers(sgd)}; at the start: {Layers(sgdInit)}"),
            Claim.AtMost("D-real.neuron-balance",
                "Neuron balance emerges: median over active neurons of |log(E‖∂ℓ/∂w_i‖² / E‖∂ℓ/∂u_i‖²)| (largest over the hidden layers and seeds)",
                sgd.Max(b => b.WorstNeuron), 0.7, $"per hidden layer after SGD: {Neurons(sgd)}; at the start: {Neurons(sgdInit)}"),
            Claim.AtLeast("D-real.start-unbalanced",
                "The balance is made by training, not given at the start: largest |log ratio| over layer pairs at initialisation (smallest of the seeds)",
                sgdInit.Min(b => Math.Max(b.WorstLayer, b.WorstNeuron)), 2.0, $"layers: {Layers(sgdInit)}; neurons: {Neurons(sgdInit)}"),
            Claim.AtLeast("D-real.learns",
                $"The balanced network has learned the task: SGD test accuracy on {data.Test.Count} images (smallest of the seeds)",
                sgdAccuracy.Min(), c.MinAccuracy, string.Join(", ", sgdAccuracy.Select((a, s) => $"seed {ctx.Seed + s}: {Claim.Format(a)}"))),
        };
        if (control is not null)
            claims.Add(Claim.AtLeast("D-real.noise-makes-balance",
                $"The balancing force is SGD noise: a large batch (|B|={c.ControlBatch}, same η, {controlSteps} steps: the same examples seen) leaves the layers less balanced: its largest |log ratio| minus SGD's (smallest of the seeds)",
                Enumerable.Range(0, seeds).Min(s => Math.Max(control[s].WorstLayer, control[s].WorstNeuron) - Math.Max(sgd[s].WorstLayer, sgd[s].WorstNeuron)), 1.0,
                $"large batch, layers: {Layers(control)}; neurons: {Neurons(control)}"));
        return claims;
    }

    /// <summary>Trains one arm (a population of seeds) from the shared rescaled start; returns final and initial balances and test accuracy.</summary>
    private static (Balances[] Final, Balances[] Init, double[] Accuracy) TrainRealArm(string name, int batch, int steps, int every, Config config,
        ClassificationData data, int[] widths, Loss<float> loss, RunContext ctx)
    {
        var c = config.Real;
        int seeds = c.Seeds;
        var net = Mlp.Build<float>(seeds, widths, "relu", bias: false, compute: ctx.Compute);
        net.Initialize(InitScheme.He, Enumerable.Range(0, seeds).Select(s => ctx.MemberStream(s, "real.init")).ToArray());
        RescaleStart(net, c, ctx);
        var sgd = new Sgd<float>(seeds, c.Lr);
        for (int s = 0; s < seeds; s++) sgd.WeightDecay[s] = c.WeightDecay;
        var trainer = new Trainer<float>(net, loss, sgd, data.Train, batch,
            Enumerable.Range(0, seeds).Select(s => ctx.MemberStream(s, $"real.{name}.batches")).ToArray());
        config.Syre.AttachTo(trainer, Enumerable.Range(0, seeds).Select(s => ctx.MemberStream(s, $"real.{name}.syre")).ToArray());
        var energy = new MinibatchGradientEnergy(net);
        trainer.AfterBackward.Insert(0, _ => energy.Add());
        Balances[] balance = MeasureBalances(net, loss, data, c.BalanceSamples);
        var init = balance;
        ctx.Time($"real.{name}", () =>
        {
            trainer.Run(steps, every, step =>
            {
                if (step > 0) balance = MeasureBalances(net, loss, data, c.BalanceSamples);
                for (int s = 0; s < seeds; s++)
                {
                    for (int k = 0; k < balance[s].Layer.Length; k++) ctx.Metrics.Log(step, s, name, $"layer{k + 1}_log_ratio", balance[s].Layer[k]);
                    for (int k = 0; k < balance[s].Neuron.Length; k++) ctx.Metrics.Log(step, s, name, $"hidden{k + 1}_neuron_balance", balance[s].Neuron[k]);
                    if (energy.Steps > 0)
                    {
                        var mb = energy.Result(s);
                        for (int k = 0; k < mb.Layer.Length; k++) ctx.Metrics.Log(step, s, name, $"layer{k + 1}_minibatch_log_ratio", mb.Layer[k]);
                        for (int k = 0; k < mb.Neuron.Length; k++) ctx.Metrics.Log(step, s, name, $"hidden{k + 1}_minibatch_neuron_balance", mb.Neuron[k]);
                    }
                    int l = 0;
                    foreach (var linear in net.Linears)
                        ctx.Metrics.Log(step, s, name, $"layer{++l}_weight_norm_sq", System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(linear.Weight.Value.SliceSpan(s)));
                    if (step > 0) ctx.Metrics.Log(step, s, name, "batch_loss", trainer.LastLoss[s]);
                }
                energy.Reset();
                ctx.Metrics.Flush();
                ctx.Progress.Report($"entropic-balance {data.Source} {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var accuracy = ClassificationData.Accuracy(net, data.Test);
        for (int s = 0; s < seeds; s++) ctx.Metrics.Log(steps, s, name, "test_accuracy", accuracy[s]);
        RealBalanceFigure(ctx, name, seeds, "_log_ratio", "real-layer-balance", "Layer balance during training", "largest |log E‖∇W_l ℓ‖² / E‖∇W_l+1 ℓ‖²|");
        RealBalanceFigure(ctx, name, seeds, "_neuron_balance", "real-neuron-balance", "Neuron balance during training", "largest median |log E‖∂ℓ/∂w_i‖² / E‖∂ℓ/∂u_i‖²|");
        return (balance, init, accuracy);
    }

    /// <summary>
    /// Moves the start along the rescaling orbits without changing the function: W₁ × c, W₂ / c, then every
    /// hidden neuron's incoming row × e^{sξ} and outgoing column × e^{−sξ} (ReLU is positively homogeneous).
    /// </summary>
    private static void RescaleStart(Sequential<float> net, RealDataConfig c, RunContext ctx)
    {
        var linears = net.Linears.ToArray();
        for (int s = 0; s < net.Members; s++)
        {
            var w1 = linears[0].Weight.Value.SliceSpan(s);
            var w2 = linears[1].Weight.Value.SliceSpan(s);
            for (int i = 0; i < w1.Length; i++) w1[i] *= (float)c.InitLayerScale;
            for (int i = 0; i < w2.Length; i++) w2[i] /= (float)c.InitLayerScale;
            if (c.InitNeuronSpread == 0) continue;
            var rng = ctx.MemberStream(s, "real.init.rescale");
            for (int l = 0; l + 1 < linears.Length; l++)
            {
                var (into, outof) = (linears[l], linears[l + 1]);
                var win = into.Weight.Value.SliceSpan(s);
                var wout = outof.Weight.Value.SliceSpan(s);
                for (int i = 0; i < into.Out; i++)
                {
                    double f = Math.Exp(c.InitNeuronSpread * rng.Normal());
                    for (int j = 0; j < into.In; j++) win[i * into.In + j] *= (float)f;
                    for (int o = 0; o < outof.Out; o++) wout[o * outof.In + i] /= (float)f;
                }
            }
        }
    }

    /// <summary>Layer and neuron balances of every member from one forward/backward pass over the first <paramref name="n"/> training examples.</summary>
    private static Balances[] MeasureBalances(Sequential<float> net, Loss<float> loss, ClassificationData data, int n)
    {
        ClassificationData.TracePass(net, loss, data.Train, n);
        var t = net.Trace;
        return Enumerable.Range(0, net.Members).Select(m =>
        {
            var ha = t.Select(l => MemberSlice.ToDouble(l.Input, m)).ToArray();
            var gb = t.Select(l => MemberSlice.ToDouble(l.GradPreActivation, m)).ToArray();
            var energy = Enumerable.Range(0, t.Count).Select(l => GradientBalance.PerSampleSquaredNorms(ha[l], gb[l])).ToArray();
            var layer = Enumerable.Range(0, t.Count - 1).Select(l => Math.Log(GradientBalance.LayerBalanceRatio(energy[l], energy[l + 1]))).ToArray();
            var neuron = Enumerable.Range(0, t.Count - 1).Select(l => GradientBalance.NeuronBalance(ha[l], gb[l], ha[l + 1], gb[l + 1]).MedianAbsLogRatio).ToArray();
            return new Balances(layer, neuron);
        }).ToArray();
    }

    /// <summary>Adds one curve per seed of arm <paramref name="name"/> to a figure: the largest |value| of the metrics ending with <paramref name="suffix"/> at each step.</summary>
    private static void RealBalanceFigure(RunContext ctx, string name, int seeds, string suffix, string id, string title, string yLabel)
    {
        var fig = ctx.Figures.FirstOrDefault(f => f.Id == id);
        if (fig is null)
        {
            fig = new Figure(id, title, "line", "step", yLabel)
            {
                Caption = "SGD's noise moves the network along its rescaling orbits until both sides carry equal gradient energy (0); a large batch at the same η moves it less.",
            };
            ctx.Figures.Add(fig);
        }
        var rows = ctx.Metrics.Rows.Where(r => r.Layer == name && r.Name.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        for (int s = 0; s < seeds; s++)
        {
            var mine = rows.Where(r => r.Member == s).GroupBy(r => r.Step).OrderBy(g => g.Key).ToList();
            fig.Series.Add(new Series($"{name} seed {ctx.Seed + s}", mine.Select(g => (double)g.Key).ToArray(), mine.Select(g => g.Max(r => Math.Abs(r.Value))).ToArray()));
        }
    }

    /// <summary>
    /// The quantity the entropic balance is about (symmetry.md §0.1 facts 3 and 6): the energy of the minibatch
    /// gradients the optimiser actually applies, E_B‖g_B‖², per layer and per hidden neuron's incoming row and
    /// outgoing column, summed over the steps of a window (an AfterBackward hook, before weight decay is added).
    /// </summary>
    private sealed class MinibatchGradientEnergy
    {
        private readonly Linear<float>[] _linears;
        private readonly double[][] _layer;          // [member][linear]
        private readonly double[][][] _in, _out;     // [member][hidden layer][neuron]

        public MinibatchGradientEnergy(Sequential<float> net)
        {
            _linears = net.Linears.ToArray();
            int p = net.Members, hidden = _linears.Length - 1;
            _layer = Enumerable.Range(0, p).Select(_ => new double[_linears.Length]).ToArray();
            _in = Enumerable.Range(0, p).Select(_ => Enumerable.Range(0, hidden).Select(l => new double[_linears[l].Out]).ToArray()).ToArray();
            _out = Enumerable.Range(0, p).Select(_ => Enumerable.Range(0, hidden).Select(l => new double[_linears[l].Out]).ToArray()).ToArray();
        }

        public int Steps { get; private set; }

        public void Add()
        {
            for (int m = 0; m < _layer.Length; m++)
                for (int l = 0; l < _linears.Length; l++)
                {
                    var lin = _linears[l];
                    var g = lin.Weight.Grad.SliceSpan(m);
                    for (int i = 0; i < lin.Out; i++)
                    {
                        double row = System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(g.Slice(i * lin.In, lin.In));
                        _layer[m][l] += row;
                        if (l + 1 < _linears.Length) _in[m][l][i] += row;
                        if (l > 0)
                        {
                            var column = _out[m][l - 1];
                            for (int j = 0; j < lin.In; j++) column[j] += (double)g[i * lin.In + j] * g[i * lin.In + j];
                        }
                    }
                }
            Steps++;
        }

        /// <summary>The window's balances of member <paramref name="m"/>: log ratio per layer pair, median |log ratio| per hidden layer.</summary>
        public Balances Result(int m)
        {
            var layer = Enumerable.Range(0, _linears.Length - 1).Select(l => Math.Log(_layer[m][l] / _layer[m][l + 1])).ToArray();
            var neuron = Enumerable.Range(0, _in[m].Length).Select(l =>
            {
                var logs = new List<double>();
                for (int i = 0; i < _in[m][l].Length; i++)
                    if (_in[m][l][i] > 0 && _out[m][l][i] > 0) logs.Add(Math.Abs(Math.Log(_in[m][l][i] / _out[m][l][i])));
                if (logs.Count == 0) return double.NaN;
                logs.Sort();
                int k = logs.Count / 2;
                return logs.Count % 2 == 1 ? logs[k] : 0.5 * (logs[k - 1] + logs[k]);
            }).ToArray();
            return new Balances(layer, neuron);
        }

        public void Reset()
        {
            foreach (var a in _layer) Array.Clear(a);
            foreach (var a in _in.Concat(_out)) foreach (var b in a) Array.Clear(b);
            Steps = 0;
        }
    }
}
