using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>Weight-initialisation schemes. Biases are zero except under <see cref="InitScheme.TorchDefault"/>.</summary>
public enum InitScheme
{
    /// <summary>N(0, std²) with an explicit std.</summary>
    Normal,
    /// <summary>N(0, 1/fan_in).</summary>
    LeCun,
    /// <summary>N(0, 2/fan_in) (He/Kaiming, ReLU gain).</summary>
    He,
    /// <summary>N(0, 2/(fan_in+fan_out)) (Xavier/Glorot).</summary>
    Xavier,
    /// <summary>U(−1/√fan_in, 1/√fan_in) for weights and biases (PyTorch's Linear/Conv default).</summary>
    TorchDefault,
    Zeros,
}

public static class Initializer
{
    /// <summary>Every accepted initialiser name (aliases included): the <see cref="InitializerDefinition"/>s.</summary>
    public static IEnumerable<string> Names => Definitions<InitializerDefinition>.Names;

    public static InitScheme Parse(string name) => Definitions<InitializerDefinition>.Get(name.ToLowerInvariant(), "init").Scheme;

    /// <summary>Fills one member's slice of a parameter from that member's stream.</summary>
    public static void Fill<T>(Parameter<T> parameter, int member, InitScheme scheme, Rng rng, double std = 1.0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = parameter.Value.SliceSpan(member);
        if (parameter.Role != ParameterRole.Weight && scheme != InitScheme.TorchDefault)
        {
            if (parameter.Role == ParameterRole.Bias) dst.Clear();
            return;
        }
        double fanIn = Math.Max(1, parameter.FanIn), fanOut = Math.Max(1, parameter.FanOut);
        switch (scheme)
        {
            case InitScheme.Normal: rng.FillNormal(dst, 0, std); break;
            case InitScheme.LeCun: rng.FillNormal(dst, 0, 1 / Math.Sqrt(fanIn)); break;
            case InitScheme.He: rng.FillNormal(dst, 0, Math.Sqrt(2 / fanIn)); break;
            case InitScheme.Xavier: rng.FillNormal(dst, 0, Math.Sqrt(2 / (fanIn + fanOut))); break;
            case InitScheme.TorchDefault: { double a = 1 / Math.Sqrt(fanIn); rng.FillUniform(dst, -a, a); break; }
            case InitScheme.Zeros: dst.Clear(); break;
        }
    }

    /// <summary>Sets one member's slice of a parameter to explicit values.</summary>
    public static void Set<T>(Parameter<T> parameter, int member, ReadOnlySpan<double> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var dst = parameter.Value.SliceSpan(member);
        if (values.Length != dst.Length)
            throw new ShapeMismatchException($"Initializer.Set: {values.Length} values for {parameter.Name} whose member shape {Tensor<T>.ShapeText(parameter.Value.Shape.AsSpan(1))} has {dst.Length}");
        for (int i = 0; i < dst.Length; i++) dst[i] = T.CreateChecked(values[i]);
    }
}
