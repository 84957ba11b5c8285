using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// A layer of a population of P networks. Activations are [P, B, ...sample shape]. Forward writes
/// y from x; Backward takes ∂ℓ/∂y and writes ∂ℓ/∂x (when asked) and overwrites the parameter
/// gradients. Layers keep no per-call state beyond reusable buffers, so a Sequential can hold the
/// activations of every layer (the trace the learning rules and probes read).
/// </summary>
public abstract class Layer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected Layer(int members)
    {
        if (members < 1) throw new ArgumentOutOfRangeException(nameof(members), $"{GetType().Name}: population size must be ≥ 1, got {members}");
        Members = members;
    }

    public int Members { get; }
    public virtual string Name => GetType().Name.Replace("`1", "");
    public virtual IReadOnlyList<Parameter<T>> Parameters => [];

    /// <summary>Per-sample output shape for a per-sample input shape; throws if the input does not fit.</summary>
    public abstract int[] OutputShape(int[] sampleShape);

    public abstract void Forward(Tensor<T> x, Tensor<T> y, Compute compute);

    public abstract void Backward(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute);

    /// <summary>
    /// Whether the layer can run members [first, last) alone (<see cref="ForwardMembers"/>, <see cref="BackwardMembers"/>):
    /// their work reads and writes only those members' slices and gives each member exactly what the whole-population
    /// call gives it, so a network may run one range of members per thread with a single hand-off per pass.
    /// </summary>
    public virtual bool RunsByMember => false;

    /// <summary><see cref="Forward"/> for members [first, last) only, on the calling thread.</summary>
    public virtual void ForwardMembers(Tensor<T> x, Tensor<T> y, int first, int last) =>
        throw new NotSupportedException($"{Name} does not run by member");

    /// <summary><see cref="Backward"/> for members [first, last) only, on the calling thread.</summary>
    public virtual void BackwardMembers(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, int first, int last) =>
        throw new NotSupportedException($"{Name} does not run by member");

    /// <summary>The parameter whose plain SGD step <see cref="BackwardThenSgd"/> and <see cref="BackwardMembersThenSgd"/> do inside its gradient product, or null.</summary>
    public virtual Parameter<T>? SgdFusedInto => null;

    /// <summary><see cref="Backward"/>, then the step of <see cref="SgdFusedInto"/> as in <see cref="BackwardMembersThenSgd"/>.</summary>
    public virtual void BackwardThenSgd(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, Compute compute, Learning.Optimizer<T> sgd) =>
        Backward(x, y, dy, dx, compute);

    /// <summary>
    /// <see cref="BackwardMembers"/>, then, for a layer with <see cref="SgdFusedInto"/>, that parameter's step by
    /// <paramref name="sgd"/> (an optimizer with <see cref="Learning.Optimizer{T}.IsPlainSgd"/>, whose step this is) done inside
    /// the product that computes its gradient: the gradient and the new values are those of the separate passes.
    /// </summary>
    public virtual void BackwardMembersThenSgd(Tensor<T> x, Tensor<T> y, Tensor<T> dy, Tensor<T>? dx, int first, int last, Learning.Optimizer<T> sgd) =>
        BackwardMembers(x, y, dy, dx, first, last);

    /// <summary>Checks that x is [P, B, ...sampleShape]; the message is built only on failure.</summary>
    protected void RequireInput(Tensor<T> x, int[] sampleShape)
    {
        if (x.Rank != sampleShape.Length + 2 || x.Shape[0] != Members || !x.Shape.AsSpan(2).SequenceEqual(sampleShape)) FailInput(x, sampleShape);
    }

    /// <summary>Throws the shape error of an input that does not match [P, B, ...sampleShape] (called only on the failure path).</summary>
    protected void FailInput(Tensor<T> x, int[] sampleShape) =>
        Shapes.Fail($"{Name}.Forward", $"[{Members},B,{string.Join(",", sampleShape)}]", x.Shape);
}
