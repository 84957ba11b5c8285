using Noether.Learning;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// entropic-balance on real images (`--set data=fashion-mnist`; docs/experiments/entropic-balance.md#real-data-variant, the paper's Fig. 2: "the
/// emergence of layer and neuron balances in a ReLU network trained on MNIST"). A ReLU MLP d-h-h-k without
/// biases is homogeneous, so rescaling a layer against the next one, or a neuron's incoming weights against its
/// outgoing ones, leaves the function unchanged; the entropic force of SGD noise picks the point of each orbit
/// where the two sides carry equal minibatch-gradient energy, E_B[g_Bᵀ A g_B] = 0 (docs/experiments/noise-equilibrium.md#charge-identity, docs/experiments/entropic-balance.md#claim):
/// layer balance E_B‖∇_{W_l}ℓ_B‖² = E_B‖∇_{W_{l+1}}ℓ_B‖², neuron balance E_B‖∂ℓ_B/∂w_i‖² = E_B‖∂ℓ_B/∂u_i‖².
/// The start is the He-initialised function with every hidden neuron moved along its orbit by a random factor
/// e^{sξ} (and optionally the hidden pair by c), so it starts off balance; SGD on softmax cross-entropy without
/// weight decay trains it; a low-noise control with a large batch and the same η sees the same examples.
/// Balances are measured at fixed parameters over the same minibatches each time, and the claims read their mean
/// over the last quarter of training. Orbits between hidden layers and orbits through the input layer (784 raw
/// pixels) are claimed apart: on Fashion-MNIST the input-layer ones stay off balance (see the claim's numbers).
/// </summary>
public sealed partial class EntropicBalance
{
    /// <summary>The real-data variant's setting (used only when data is a real source).</summary>
    public sealed class RealDataConfig : IValidatedConfig
    {
        [Param("hidden width h of both ReLU layers", Min = 2, Max = 4096)] public int Width { get; set; } = 32;
        [Param("SGD batch size (also the batch at which the balances are measured)", Min = 1)] public int Batch { get; set; } = 4;
        [Param("SGD learning rate η (both arms)", Min = 0, Max = 10)] public double Lr { get; set; } = 0.05;
        [Param("SGD steps", Min = 1)] public int Steps { get; set; } = 50000;
        [Param("training loss: cross-entropy (softmax) or mse (½‖f − onehot(y)‖²)", OneOf = ["cross-entropy", "mse"])] public string Loss { get; set; } = "cross-entropy";
        [Param("coupled L2 weight decay of SGD (the balance is exact only at 0)", Min = 0, Max = 1)] public double WeightDecay { get; set; }
        [Param("batch of the low-noise control arm, trained for steps·batch/control_batch steps at the same η (0: no control)", Min = 0)] public int ControlBatch { get; set; } = 400;
        [Param("layer rescaling of the hidden pair at the start: W₂ × c, W₃ / c (the function is unchanged)", Min = 1e-3, Max = 1e3)] public double InitLayerScale { get; set; } = 1;
        [Param("neuron rescaling at the start: each hidden neuron's incoming weights × e^{sξ}, outgoing × e^{−sξ}, ξ ~ N(0, 1) (the function is unchanged)", Min = 0, Max = 10)] public double InitNeuronSpread { get; set; } = 0.5;
        [Param("minibatches (of size real.batch, the same ones at every measurement) over which E_B‖g_B‖² is averaged", Min = 1)] public int BalanceBatches { get; set; } = 500;
        [Param("population members, one seed each (run seed + i)", Min = 1, Max = 64)] public int Seeds { get; set; } = 2;
        [Param("SGD steps between two logged measurements", Min = 1)] public int ProbeEvery { get; set; } = 5000;

        public void Validate()
        {
            if (ControlBatch > 0 && ControlBatch <= Batch) throw new ConfigException($"real.control_batch={ControlBatch}: expected 0 (no control) or a batch larger than real.batch ({Batch})");
        }
    }

    /// <summary>Balances of one member: log ρ_l per layer pair (l, l+1) and the median |log ratio| of the neurons of each hidden layer.</summary>
    private sealed record Balances(double[] Layer, double[] Neuron)
    {
        /// <summary>Largest |log ratio| of the orbits between hidden layers: layer pairs (W_l, W_l+1) and neurons of hidden layers l ≥ 2.</summary>
        public double HiddenLayers => Layer.Skip(1).Select(Math.Abs).Max();
        public double HiddenNeurons => Neuron.Skip(1).Max();
        /// <summary>Largest |log ratio| of the orbits that involve the input layer W₁: the pair (W₁, W₂) and the neurons of hidden layer 1.</summary>
        public double InputSide => Math.Max(Math.Abs(Layer[0]), Neuron[0]);
        public double Hidden => Math.Max(HiddenLayers, HiddenNeurons);
    }

    private static IReadOnlyList<Claim> RunReal(Config config, RunContext ctx)
    {
        var c = config.Real;
        var data = ctx.Time("data", () => config.Data.Load(ctx.Root.Child("data")));
        if (c.Batch > data.Train.Count || c.ControlBatch > data.Train.Count)
            throw new ConfigException($"real.batch={c.Batch}, real.control_batch={c.ControlBatch}: expected each at most the {data.Train.Count} training examples (data.n_train)");
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

        string Layers(Balances[] b) => string.Join(", ", Enumerable.Range(0, seeds).Select(s => $"seed {ctx.Seed + s}: [{string.Join(", ", b[s].Layer.Select(Claim.Format))}]"));
        string Neurons(Balances[] b) => string.Join(", ", Enumerable.Range(0, seeds).Select(s => $"seed {ctx.Seed + s}: [{string.Join(", ", b[s].Neuron.Select(Claim.Format))}]"));
        string setting = $"ReLU MLP {string.Join("-", widths)} without biases on {data.Description}, SGD |B|={c.Batch}, η={c.Lr}, {c.Steps} steps, {c.Loss}, {(c.WeightDecay == 0 ? "no weight decay" : $"weight decay {c.WeightDecay}")}";
        // 0.7 is the neuron-balance threshold of docs/experiments/entropic-balance.md#d-bsgd-neuron-balance (SGD ≤ 0.7 against GD ≥ 2 on a teacher task); 1.4 asks the
        // start to be at least twice as far from balance as the claim allows, so the balance is made by training.
        var claims = new List<Claim>
        {
            Claim.AtMost("D-real.hidden-layer-balance",
                $"Layer balance emerges in a {setting}: |log(E_B‖∇_{{W_l}}ℓ_B‖² / E_B‖∇_{{W_l+1}}ℓ_B‖²)| of the pairs of hidden-layer weights (l ≥ 2), |B|={c.Batch}, {c.BalanceBatches} minibatches, mean of the last quarter of training (largest over pairs and {seeds} seeds)",
                sgd.Max(b => b.HiddenLayers), 0.7, $"log ratio per layer pair after SGD: {Layers(sgd)}; at the start: {Layers(sgdInit)}"),
            Claim.AtMost("D-real.hidden-neuron-balance",
                "Neuron balance emerges: median over the neurons of hidden layer l ≥ 2 of |log(E_B‖∂ℓ_B/∂w_i‖² / E_B‖∂ℓ_B/∂u_i‖²)| (largest over those layers and the seeds)",
                sgd.Max(b => b.HiddenNeurons), 0.7, $"per hidden layer after SGD: {Neurons(sgd)}; at the start: {Neurons(sgdInit)}"),
            Claim.AtMost("D-real.input-layer-balance",
                $"The same balance holds for the orbits through the input layer W₁ ({data.InputDim} pixels): max(|log ratio| of the pair (W₁, W₂), median |log ratio| of the neurons of hidden layer 1) (largest of the seeds)",
                sgd.Max(b => b.InputSide), 0.7, $"pair (W₁, W₂) and hidden layer 1 after SGD: {string.Join(", ", sgd.Select((b, s) => $"seed {ctx.Seed + s}: [{Claim.Format(b.Layer[0])}, {Claim.Format(b.Neuron[0])}]"))}"),
            Claim.AtLeast("D-real.start-unbalanced",
                $"The balance is made by training: at the start (He init, neurons rescaled by e^{{±{c.InitNeuronSpread}ξ}}, the same function) the hidden-layer orbits are far from it: the largest of the |log ratio| claimed above (smallest of the seeds)",
                sgdInit.Min(b => b.Hidden), 1.4, $"layers: {Layers(sgdInit)}; neurons: {Neurons(sgdInit)}").AsCheck(),
            // Guards against a broken run: 0.75 is 7.5× chance and below a linear classifier on Fashion-MNIST (≈ 0.84).
            Claim.AtLeast("D-real.learns",
                $"The balanced network has learned the task: SGD test accuracy on {data.Test.Count} images (smallest of the seeds)",
                sgdAccuracy.Min(), 0.75, string.Join(", ", sgdAccuracy.Select((a, s) => $"seed {ctx.Seed + s}: {Claim.Format(a)}"))).AsCheck(),
        };
        if (control is not null)
            claims.Add(Claim.AtLeast("D-real.noise-makes-balance",
                $"The balancing force is SGD noise: from the same start, a large batch (|B|={c.ControlBatch}, same η, {controlSteps} steps: the same examples seen) leaves the hidden-layer orbits less balanced: its largest hidden-layer |log ratio| (measured at |B|={c.Batch}) minus SGD's (smallest of the seeds)",
                Enumerable.Range(0, seeds).Min(s => control[s].Hidden - sgd[s].Hidden), 0.5,
                $"large batch, layers: {Layers(control)}; neurons: {Neurons(control)}; SGD hidden: {string.Join(", ", sgd.Select((b, s) => $"seed {ctx.Seed + s}: {Claim.Format(b.Hidden)}"))}"));
        return claims;
    }

    /// <summary>Trains one arm (a population of seeds) from the shared rescaled start; returns final and initial balances and test accuracy.</summary>
    private static (Balances[] Final, Balances[] Init, double[] Accuracy) TrainRealArm(string name, int batch, int steps, int every, Config config,
        ClassificationData data, int[] widths, Loss<float> loss, RunContext ctx)
    {
        var c = config.Real;
        int seeds = c.Seeds;
        var net = Mlp.Build<float>(seeds, widths, "relu", bias: false, compute: ctx.Compute);
        net.Initialize(InitScheme.He, Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, "real.init")).ToArray());
        RescaleStart(net, c, ctx);
        var pop = ctx.Population($"real.{name}", PopulationLayout.OfSeeds(seeds));
        var sgd = config.Optimizer.Create<float>(seeds, c.Lr);
        for (int s = 0; s < seeds; s++) sgd.WeightDecay[s] = c.WeightDecay;
        var trainer = new Trainer<float>(net, loss, sgd, data.Train, batch,
            Enumerable.Range(0, seeds).Select(s => ctx.SeedStream(s, $"real.{name}.batches")).ToArray(), config.Optimizer.ScheduleOf());
        ctx.Watch(pop, trainer); // --export, probes
        config.Attach(trainer, (s, stream) => ctx.SeedStream(s, $"real.{name}.{stream}")); // rule, syre (docs/training.md)
        // Every measurement uses the same minibatches (common random numbers), drawn from the run seed's stream.
        Balances[] Measure() => MeasureBalances(net, loss, data.Train, c.Batch, c.BalanceBatches, ctx.Root.Child("real.balance.batches"));
        Balances[] balance = Measure();
        var init = balance;
        // The claims read the stationary state: the mean of the measurements in the last quarter of training, as SGD's
        // noise makes the balances fluctuate from one measurement to the next.
        var late = new List<Balances[]>();
        ctx.Time($"real.{name}", () =>
        {
            trainer.Run(steps, every, step =>
            {
                if (step > 0) balance = Measure();
                if (step > 0 && step >= 0.75 * steps) late.Add(balance);
                for (int s = 0; s < seeds; s++)
                {
                    for (int k = 0; k < balance[s].Layer.Length; k++) pop.Log(step, s, $"layer{k + 1}_log_ratio", balance[s].Layer[k]);
                    for (int k = 0; k < balance[s].Neuron.Length; k++) pop.Log(step, s, $"hidden{k + 1}_neuron_balance", balance[s].Neuron[k]);
                    int l = 0;
                    foreach (var linear in net.Linears)
                        pop.Log(step, s, $"layer{++l}_weight_norm_sq", System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(linear.Weight.Value.SliceSpan(s)));
                    if (step > 0) pop.Log(step, s, "batch_loss", trainer.LastLoss[s]);
                }
                ctx.Metrics.Flush();
                ctx.Progress.Report($"entropic-balance {data.Source} {name}", step, steps);
            }, ctx.Cancel);
            return 0;
        });
        var accuracy = ClassificationData.Accuracy(net, data.Test);
        for (int s = 0; s < seeds; s++) pop.Log(steps, s, "test_accuracy", accuracy[s]);
        RealBalanceFigure(ctx, name, seeds, "_log_ratio", "real-layer-balance", "Layer balance during training", "largest |log E‖∇W_l ℓ‖² / E‖∇W_l+1 ℓ‖²|");
        RealBalanceFigure(ctx, name, seeds, "_neuron_balance", "real-neuron-balance", "Neuron balance during training", "largest median |log E‖∂ℓ/∂w_i‖² / E‖∂ℓ/∂u_i‖²|");
        var final = Enumerable.Range(0, seeds).Select(s => new Balances(
            Enumerable.Range(0, balance[s].Layer.Length).Select(k => late.Average(b => b[s].Layer[k])).ToArray(),
            Enumerable.Range(0, balance[s].Neuron.Length).Select(k => late.Average(b => b[s].Neuron[k])).ToArray())).ToArray();
        // The stationary balances the claims read, beside the per-probe rows they average.
        for (int s = 0; s < seeds; s++)
        {
            for (int k = 0; k < final[s].Layer.Length; k++) pop.Log(steps, s, $"layer{k + 1}_log_ratio_late_mean", final[s].Layer[k]);
            for (int k = 0; k < final[s].Neuron.Length; k++) pop.Log(steps, s, $"hidden{k + 1}_neuron_balance_late_mean", final[s].Neuron[k]);
        }
        return (final, init, accuracy);
    }

    /// <summary>
    /// Moves the start along the rescaling orbits without changing the function: W₂ × c, W₃ / c, then every
    /// hidden neuron's incoming row × e^{sξ} and outgoing column × e^{−sξ} (ReLU is positively homogeneous).
    /// </summary>
    private static void RescaleStart(Sequential<float> net, RealDataConfig c, RunContext ctx)
    {
        var linears = net.Linears.ToArray();
        for (int s = 0; s < net.Members; s++)
        {
            var w2 = linears[1].Weight.Value.SliceSpan(s);
            var w3 = linears[2].Weight.Value.SliceSpan(s);
            for (int i = 0; i < w2.Length; i++) w2[i] *= (float)c.InitLayerScale;
            for (int i = 0; i < w3.Length; i++) w3[i] /= (float)c.InitLayerScale;
            if (c.InitNeuronSpread == 0) continue;
            var rng = ctx.SeedStream(s, "real.init.rescale");
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

    /// <summary>
    /// Layer and neuron balances of every member at its current parameters: the energies of minibatch gradients
    /// E_B‖g_B‖² (the quantity of the balance condition E_B[g_Bᵀ A g_B] = 0, docs/experiments/entropic-balance.md#claim) averaged over
    /// <paramref name="batches"/> minibatches of size <paramref name="batch"/> from <paramref name="stream"/>,
    /// without any update. The parameter gradients are overwritten (the trainer recomputes them at its next step).
    /// </summary>
    private static Balances[] MeasureBalances(Sequential<float> net, Loss<float> loss, TrainingData<float> train, int batch, int batches, Rng stream)
    {
        int p = net.Members;
        var sampler = new Noether.Data.BatchSampler(train.Count, batch, stream, dropLast: true);
        var idx = new int[batch];
        var x = new Tensor<float>(p, batch, train.InputWidth);
        var y = new Tensor<float>(p, batch, train.TargetWidth);
        var lossBuffer = new double[p];
        var energy = new MinibatchGradientEnergy(net);
        for (int b = 0; b < batches; b++)
        {
            sampler.Next(idx);
            for (int m = 0; m < p; m++) train.Gather(m, idx, x, y);
            var output = net.Forward(x);
            var grad = net.OutputGradientBuffer(batch);
            loss.Evaluate(output, y, lossBuffer, grad);
            net.Backward(grad);
            energy.Add();
        }
        return Enumerable.Range(0, p).Select(energy.Result).ToArray();
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
        var rows = ctx.Metrics.Rows.Where(r => r.Phase == $"real.{name}" && r.Name.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        for (int s = 0; s < seeds; s++)
        {
            var mine = rows.Where(r => r.Member == s).GroupBy(r => r.Step).OrderBy(g => g.Key).ToList();
            fig.Series.Add(new Series($"{name} seed {ctx.Seed + s}", mine.Select(g => (double)g.Key).ToArray(), mine.Select(g => g.Max(r => Math.Abs(r.Value))).ToArray()));
        }
    }

    /// <summary>
    /// The quantity the entropic balance is about (docs/experiments/noise-equilibrium.md#charge-identity, docs/experiments/entropic-balance.md#claim): the energy of the minibatch
    /// gradients the optimiser actually applies, E_B‖g_B‖², per layer and per hidden neuron's incoming row and
    /// outgoing column, summed over minibatches (weight decay is not part of the gradients it reads).
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

    }
}
