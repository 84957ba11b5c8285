using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// Fully connected layer h_b = W h_a + b with W stored [P, out, in]. Backward uses Wᵀ to send the
/// error down, unless <see cref="Feedback"/> holds a replacement matrix B of the same shape
/// (feedback alignment, sign symmetry, Kolen–Pollack), in which case ∂ℓ/∂h_a = B-routed error.
/// </summary>
public sealed class Linear<T> : Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Parameter<T>[] _parameters;

    public Linear(int members, int inFeatures, int outFeatures, bool bias = true, string name = "linear") : base(members)
    {
        In = inFeatures; Out = outFeatures; LayerName = name;
        Weight = new Parameter<T>(name + ".weight", [members, outFeatures, inFeatures], ParameterRole.Weight, inFeatures, outFeatures);
        Bias = bias ? new Parameter<T>(name + ".bias", [members, outFeatures], ParameterRole.Bias, inFeatures, outFeatures) : null;
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    public int In { get; }
    public int Out { get; }
    public string LayerName { get; }
    public Parameter<T> Weight { get; }
    public Parameter<T>? Bias { get; }
    public override string Name => $"Linear({LayerName})";
    public override IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>Replacement for W in the backward pass ([P, out, in], used as dx = dy·B); null means W (backprop).</summary>
    public Tensor<T>? Feedback { get; set; }

    public override int[] OutputShape(int[] sampleShape)
    {
        if (!(sampleShape.Length == 1 && sampleShape[0] == In)) Shapes.Fail($"{Name}", $"[{In}] per sample", sampleShape);
        return [Out];
    }

    public override bool RunsByMember => true;

    public override void Forward(Tensor<T> x, Tensor<T> y, Compute compute) => Forward(x, y, 0, Members, compute.Threads);

    public override void ForwardMembers(Tensor<T> x, Tensor<T> y, int first, int last) => Forward(x, y, first, last, 1);

    public override void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute) =>
        Backward(x, dy, dx, 0, Members, compute.Threads);

    public override void BackwardMembers(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, int first, int last) =>
        Backward(x, dy, dx, first, last, 1);

    public override Parameter<T>? SgdFusedInto => Weight;

    public override void BackwardMembersThenSgd(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, int first, int last, Learning.Optimizer<T> sgd) =>
        Backward(x, dy, dx, first, last, 1, RequirePlain(sgd));

    public override void BackwardThenSgd(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute, Learning.Optimizer<T> sgd) =>
        Backward(x, dy, dx, 0, Members, compute.Threads, RequirePlain(sgd));

    private Learning.Optimizer<T> RequirePlain(Learning.Optimizer<T> sgd) => sgd.IsPlainSgd ? sgd
        : throw new ArgumentException($"{Name}: the SGD step fused into the weight gradient needs plain SGD, not {sgd.GetType().Name}");

    private void Forward(Tensor<T> x, Tensor<T> y, int first, int last, int threads)
    {
        if (x.Rank != 3 || x.Shape[0] != Members || x.Shape[2] != In) FailInput(x, [In]);
        int b = x.Shape[1];
        // The bias is added to every row in the GEMM's epilogue (the same values as adding it afterwards).
        ReadOnlySpan<T> bias = Bias is null ? default : Bias.Value.SliceSpan(first, last);
        Gemm.MultiplyBatched(last - first, false, true, b, Out, In, x.SliceSpan(first, last), b * In,
            Weight.Value.SliceSpan(first, last), Out * In, y.SliceSpan(first, last), b * Out, false, threads, bias);
    }

    private void Backward(Tensor<T> x, Tensor<T> dy, Tensor<T>? dx, int first, int last, int threads, Learning.Optimizer<T>? sgd = null)
    {
        int b = x.Shape[1], members = last - first;
        // ∂ℓ/∂x = dy·W (or the feedback matrix) first: a fused step below changes W.
        if (dx is not null)
        {
            var route = Feedback ?? Weight.Value;
            if (Feedback is not null) if (!Feedback.SameShape(Weight.Value)) Shapes.RequireSameShape($"{Name}.Backward feedback", Feedback, Weight.Value);
            Gemm.MultiplyBatched(members, false, false, b, In, Out, dy.SliceSpan(first, last), b * Out,
                route.SliceSpan(first, last), Out * In, dx.SliceSpan(first, last), b * In, false, threads);
        }
        // ∂ℓ/∂W = dyᵀ·x (the batch mean is already inside dy); with sgd, each member's step is done in the product's epilogue.
        // The forward product splits W's rows (outputs) across threads and ∂ℓ/∂x its columns (inputs): without ∂ℓ/∂x (a
        // first layer), the step splits by rows too, so no thread steps rows another thread reads next. Bench (b) with
        // 2 threads on CPUs far apart: its first layer's step 225–260 µs instead of 295–330, its forward product 215–235
        // instead of 250–265.
        // With ∂ℓ/∂x, one of the two products reads a quarter of W from the other thread either way; column panels cost less.
        if (sgd is null)
            Gemm.MultiplyBatched(members, true, false, Out, In, b, dy.SliceSpan(first, last), b * Out,
                x.SliceSpan(first, last), b * In, Weight.Grad.SliceSpan(first, last), Out * In, false, threads);
        else
            for (int p = first; p < last; p++)
            {
                var (lr, wd) = sgd.StepRates(Weight, p);
                if (lr == 0) Gemm.Multiply(true, false, Out, In, b, dy.SliceSpan(p), x.SliceSpan(p), Weight.Grad.SliceSpan(p), threads: threads);
                else Gemm.MultiplyThenSgd(ProcessVectorWidth.Current, true, false, Out, In, b, dy.SliceSpan(p), x.SliceSpan(p), Weight.Grad.SliceSpan(p),
                    Weight.Value.SliceSpan(p), T.CreateChecked(lr), T.CreateChecked(wd), threads, rowBlocks: dx is null, keepGradient: sgd.KeepGradients);
            }
        if (Bias is not null)
        {
            for (int p = first; p < last; p++)
                RowOps.SumRows(dy.SliceSpan(p)[..(b * Out)], Bias.Grad.SliceSpan(p), members == 1 ? threads : 1);
        }
    }
}
