namespace Noether.Nn;

/// <summary>A weight initialiser as configs name it (model.init): one sealed subclass per <see cref="InitScheme"/>.</summary>
public abstract class InitializerDefinition : Definition
{
    public abstract InitScheme Scheme { get; }
}

public sealed class NormalInitializer : InitializerDefinition
{
    public override string Name => "normal";
    public override InitScheme Scheme => InitScheme.Normal;
    public override string Description => "weights N(0, std²), biases 0";
    public override string Options => "std: the standard deviation (model.init_std; number ≥ 0; default 1)";
}

public sealed class LeCunInitializer : InitializerDefinition
{
    public override string Name => "lecun";
    public override InitScheme Scheme => InitScheme.LeCun;
    public override string Description => "weights N(0, 1/fan_in), biases 0";
}

public sealed class HeInitializer : InitializerDefinition
{
    public override string Name => "he";
    public override IReadOnlyList<string> Aliases => ["kaiming"];
    public override InitScheme Scheme => InitScheme.He;
    public override string Description => "weights N(0, 2/fan_in) (He/Kaiming, the ReLU gain), biases 0";
}

public sealed class XavierInitializer : InitializerDefinition
{
    public override string Name => "xavier";
    public override IReadOnlyList<string> Aliases => ["glorot"];
    public override InitScheme Scheme => InitScheme.Xavier;
    public override string Description => "weights N(0, 2/(fan_in + fan_out)) (Xavier/Glorot), biases 0";
}

public sealed class TorchInitializer : InitializerDefinition
{
    public override string Name => "torch";
    public override IReadOnlyList<string> Aliases => ["torch_default"];
    public override InitScheme Scheme => InitScheme.TorchDefault;
    public override string Description => "weights and biases U(−1/√fan_in, 1/√fan_in) (PyTorch's Linear default)";
}

public sealed class ZerosInitializer : InitializerDefinition
{
    public override string Name => "zeros";
    public override InitScheme Scheme => InitScheme.Zeros;
    public override string Description => "every weight and bias 0";
}
