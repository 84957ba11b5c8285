using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>Whether a parameter multiplies its input (a weight) or is added to it (a bias or slope).</summary>
public enum ParameterRole { Weight, Bias, Other }

/// <summary>
/// A trainable tensor with a leading population-member dimension [P, ...] and its gradient of the same shape.
/// </summary>
public sealed class Parameter<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public string Name { get; }
    public Tensor<T> Value { get; }
    public Tensor<T> Grad { get; }
    public ParameterRole Role { get; }
    /// <summary>Inputs feeding one output unit (for LeCun/He/Xavier/PyTorch-default initialisation).</summary>
    public int FanIn { get; }
    public int FanOut { get; }

    public Parameter(string name, int[] shape, ParameterRole role, int fanIn, int fanOut)
    {
        Name = name; Role = role; FanIn = fanIn; FanOut = fanOut;
        Value = Tensor<T>.Aligned(shape);
        Grad = Tensor<T>.Aligned(shape);
    }

    public int Members => Value.Shape[0];
    /// <summary>Elements per member.</summary>
    public int MemberLength => Value.Stride0;
}
