// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

// What the resolver asks the registry: who may change a node's records.
interface ENS {
    function owner(bytes32 node) external view returns (address);

    function isApprovedForAll(address owner, address operator) external view returns (bool);
}

// Model of ENS's PublicResolver for the stakewallet devnet, after
// ensdomains/ens-contracts contracts/resolvers/PublicResolver.sol and its
// AddrResolver profile: addr(bytes32) and addr(bytes32,uint256) read,
// setAddr(bytes32,address) and setAddr(bytes32,uint256,bytes) write, with
// the real events (AddrChanged, AddressChanged) and authorisation (the
// node's owner in the registry, or an operator approved in the registry or
// here; refusals revert without a reason, as the real require() does).
// Records are versioned per node as in the real resolver. Not modelled:
// the other profiles (text, contenthash, ABI, pubkey, DNS, interface,
// name), the NameWrapper, trusted controllers, delegates and multicall;
// the constructor takes only the registry.
contract PublicResolver {
    uint256 private constant COIN_TYPE_ETH = 60;

    ENS public immutable ens;

    mapping(bytes32 => uint64) public recordVersions;
    mapping(uint64 => mapping(bytes32 => mapping(uint256 => bytes))) private versionableAddresses;
    mapping(address => mapping(address => bool)) private operatorApprovals;

    event AddrChanged(bytes32 indexed node, address a);
    event AddressChanged(bytes32 indexed node, uint256 coinType, bytes newAddress);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    modifier authorised(bytes32 node) {
        require(isAuthorised(node));
        _;
    }

    constructor(ENS _ens) {
        ens = _ens;
    }

    function setAddr(bytes32 node, address a) external authorised(node) {
        setAddr(node, COIN_TYPE_ETH, abi.encodePacked(a));
    }

    function setAddr(bytes32 node, uint256 coinType, bytes memory a) public authorised(node) {
        emit AddressChanged(node, coinType, a);
        if (coinType == COIN_TYPE_ETH) {
            emit AddrChanged(node, bytesToAddress(a));
        }
        versionableAddresses[recordVersions[node]][node][coinType] = a;
    }

    function addr(bytes32 node) public view returns (address payable) {
        bytes memory a = addr(node, COIN_TYPE_ETH);
        if (a.length == 0) {
            return payable(0);
        }
        return bytesToAddress(a);
    }

    function addr(bytes32 node, uint256 coinType) public view returns (bytes memory) {
        return versionableAddresses[recordVersions[node]][node][coinType];
    }

    function setApprovalForAll(address operator, bool approved) external {
        require(msg.sender != operator, "ERC1155: setting approval status for self");
        operatorApprovals[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function isApprovedForAll(address account, address operator) public view returns (bool) {
        return operatorApprovals[account][operator];
    }

    // ERC-165: itself, addr(bytes32) and addr(bytes32,uint256).
    function supportsInterface(bytes4 interfaceID) external pure returns (bool) {
        return interfaceID == 0x01ffc9a7 || interfaceID == 0x3b3b57de || interfaceID == 0xf1cb7e06;
    }

    function isAuthorised(bytes32 node) internal view returns (bool) {
        address owner = ens.owner(node);
        return owner == msg.sender || ens.isApprovedForAll(owner, msg.sender) || isApprovedForAll(owner, msg.sender);
    }

    function bytesToAddress(bytes memory b) internal pure returns (address payable a) {
        require(b.length == 20);
        assembly {
            a := div(mload(add(b, 32)), exp(256, 12))
        }
    }
}
