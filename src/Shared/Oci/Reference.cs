namespace NeonRegistry.Oci;

/// <summary>The <c>&lt;reference&gt;</c> of a manifest URL: either a tag or a digest, never both.</summary>
public sealed record Reference
{
    private Reference(string? tag, Digest? digest)
    {
        Tag = tag;
        Digest = digest;
    }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <exception cref="RegistryException">DIGEST_INVALID or TAG_INVALID.</exception>
    public static Reference Parse(string value)
    {
        if (value.Contains(':'))
        {
            return new Reference(null, Oci.Digest.Parse(value));
        }

        return new Reference(Oci.Tag.Parse(value), null);
    }

    public override string ToString() => Tag ?? Digest!.Value.ToString();
}
