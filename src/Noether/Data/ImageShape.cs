namespace Noether.Data;

/// <summary>Layout of one example when the features are an image, stored flat in (channel, row, column) order.</summary>
public readonly record struct ImageShape(int Channels, int Height, int Width)
{
    /// <summary>Number of features one image occupies: channels × height × width.</summary>
    public int Size => Channels * Height * Width;

    public override string ToString() => $"{Channels}×{Height}×{Width}";
}
