// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// Model of the ENS registry for the stakewallet devnet, after
// ensdomains/ens-contracts contracts/registry/ENSRegistry.sol: the same
// functions, events and authorisation rules (a node's owner, or an
// operator the owner approved, may change it; failures revert without a
// reason, as the real require()s do), so that a client resolving names
// here resolves them on mainnet the same way. The genesis places it at
// mainnet's registry address. Not modelled: the fallback to the
// pre-2020 registry (ENSRegistryWithFallback), which has no names here.
contract ENSRegistry {
    struct Record {
        address owner;
        address resolver;
        uint64 ttl;
    }

    mapping(bytes32 => Record) private records;
    mapping(address => mapping(address => bool)) private operators;

    event NewOwner(bytes32 indexed node, bytes32 indexed label, address owner);
    event Transfer(bytes32 indexed node, address owner);
    event NewResolver(bytes32 indexed node, address resolver);
    event NewTTL(bytes32 indexed node, uint64 ttl);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    modifier authorised(bytes32 node) {
        address current = records[node].owner;
        require(current == msg.sender || operators[current][msg.sender]);
        _;
    }

    // The deployer owns the root node, as on mainnet (where it passed to
    // the ENS root contract).
    constructor() {
        records[0x0].owner = msg.sender;
    }

    function setRecord(bytes32 node, address owner_, address resolver_, uint64 ttl_) external {
        setOwner(node, owner_);
        _setResolverAndTTL(node, resolver_, ttl_);
    }

    function setSubnodeRecord(bytes32 node, bytes32 label, address owner_, address resolver_, uint64 ttl_) external {
        bytes32 subnode = setSubnodeOwner(node, label, owner_);
        _setResolverAndTTL(subnode, resolver_, ttl_);
    }

    function setOwner(bytes32 node, address owner_) public authorised(node) {
        _setOwner(node, owner_);
        emit Transfer(node, owner_);
    }

    function setSubnodeOwner(bytes32 node, bytes32 label, address owner_) public authorised(node) returns (bytes32) {
        bytes32 subnode = keccak256(abi.encodePacked(node, label));
        _setOwner(subnode, owner_);
        emit NewOwner(node, label, owner_);
        return subnode;
    }

    function setResolver(bytes32 node, address resolver_) public authorised(node) {
        emit NewResolver(node, resolver_);
        records[node].resolver = resolver_;
    }

    function setTTL(bytes32 node, uint64 ttl_) public authorised(node) {
        emit NewTTL(node, ttl_);
        records[node].ttl = ttl_;
    }

    function setApprovalForAll(address operator, bool approved) external {
        operators[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    // A node owned by the registry itself reads as unowned (the real
    // registry stores itself as owner of nodes set to the zero address).
    function owner(bytes32 node) public view returns (address) {
        address current = records[node].owner;
        if (current == address(this)) {
            return address(0x0);
        }
        return current;
    }

    function resolver(bytes32 node) public view returns (address) {
        return records[node].resolver;
    }

    function ttl(bytes32 node) public view returns (uint64) {
        return records[node].ttl;
    }

    function recordExists(bytes32 node) public view returns (bool) {
        return records[node].owner != address(0x0);
    }

    function isApprovedForAll(address owner_, address operator) external view returns (bool) {
        return operators[owner_][operator];
    }

    function _setOwner(bytes32 node, address owner_) internal {
        // As the real registry: a node given to the zero address is stored
        // as owned by the registry itself, so that recordExists stays true
        // while owner() reads zero.
        if (owner_ == address(0x0)) {
            owner_ = address(this);
        }
        records[node].owner = owner_;
    }

    function _setResolverAndTTL(bytes32 node, address resolver_, uint64 ttl_) internal {
        if (resolver_ != records[node].resolver) {
            records[node].resolver = resolver_;
            emit NewResolver(node, resolver_);
        }
        if (ttl_ != records[node].ttl) {
            records[node].ttl = ttl_;
            emit NewTTL(node, ttl_);
        }
    }
}
